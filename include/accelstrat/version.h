#ifndef ACCELSTRAT_VERSION_H
#define ACCELSTRAT_VERSION_H

#include "export.h"

#define AS_VERSION_MAJOR 0
#define AS_VERSION_MINOR 1
#define AS_VERSION_PATCH 0
#define AS_VERSION_STRING "0.1.0"

AS_EXTERN_C_BEGIN
AS_API const char *as_version(void);
AS_EXTERN_C_END

#endif
