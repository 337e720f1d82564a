/* Fault injection, for tests and for checking a set-up: a GPU fault planted
 * at the backend boundary of one executor's runs. Not a key of as_config:
 * an executor takes ACCELSTRAT_INJECT when it is created, and
 * as_executor_inject() replaces it. */
#ifndef ACCELSTRAT_INJECT_H
#define ACCELSTRAT_INJECT_H

#include <stddef.h>

#include "export.h"

AS_EXTERN_C_BEGIN

typedef struct as_executor as_executor;

/* The faults (ACCELSTRAT_INJECT=gpu-oom@2 fails the third chunk attempt of
 * each batch with an out-of-memory). */
typedef enum as_fault {
  AS_FAULT_NONE = 0,
  AS_FAULT_GPU_UNAVAILABLE,
  AS_FAULT_GPU_OOM,
  AS_FAULT_GPU_DRIVER_ERROR
} as_fault;

#define AS_INJECT_VALUES                                                       \
  "none|gpu-unavailable|gpu-oom[@CHUNK]|gpu-driver-error[@CHUNK]"

/* Parses AS_INJECT_VALUES: the fault and the chunk (attempt, from 0) it
 * hits. 0 or AS_EINVAL (out unchanged). */
AS_API int as_fault_parse(const char *text, as_fault *fault, long *chunk);

/* Plants fault at chunk in ex's later runs (AS_FAULT_NONE: none). 0, or
 * AS_EINVAL for an unknown fault or a negative chunk. */
AS_API int as_executor_inject(as_executor *ex, as_fault fault, long chunk);

AS_EXTERN_C_END

#endif
