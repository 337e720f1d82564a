/* accelstrat: an acceleration strategy executor. Umbrella header. */
#ifndef ACCELSTRAT_ACCELSTRAT_H
#define ACCELSTRAT_ACCELSTRAT_H

#include "config.h"
#include "error.h"
#include "executor.h"
#include "inject.h"
#include "kernel.h"
#include "kernels.h"
#include "profile.h"
#include "report.h"
#include <accelstrat/version.h>

#endif
