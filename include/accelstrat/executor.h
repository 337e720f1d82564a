/* The executor: capabilities of this machine and as_run(). */
#ifndef ACCELSTRAT_EXECUTOR_H
#define ACCELSTRAT_EXECUTOR_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "export.h"
#include "kernel.h"
#include "report.h"

AS_EXTERN_C_BEGIN

typedef struct as_executor as_executor;

typedef struct as_capabilities {
  int online_cpus;      /* sysconf(_SC_NPROCESSORS_ONLN) */
  int affinity_cpus;    /* CPUs in this thread's affinity mask */
  double cgroup_cpus;   /* cgroup v2 cpu.max quota / period; 0 when unlimited */
  int usable_cpus;      /* min of the above, at least 1 */
  int gpu_count;        /* usable GPUs (0: no GPU backend or no device) */
  char gpu_backend[16]; /* "none", or once an executor has probed the GPU
                           (as_executor_capabilities) "cuda" or "sim" */
  char gpu_name[64];
  char cpu_model[64];  /* /proc/cpuinfo's "model name", "unknown" without */
  char gpu_driver[32]; /* the GPU driver's version, "" when none */
  int gpu_simulated;   /* 1 when the GPU is the sim backend's */
} as_capabilities;

/* Capabilities of the calling process. Never fails. */
AS_API void as_capabilities_detect(as_capabilities *caps);

/* cpu.max quota in CPUs from the text of a cgroup v2 cpu.max file ("max
 * 100000" or "150000 100000"): 0 for no limit, negative for malformed text. */
AS_API double as_cgroup_parse_cpu_max(const char *text);

AS_API int as_executor_create(const as_config *cfg, as_executor **out);
AS_API void as_executor_destroy(as_executor *ex);
AS_API const as_capabilities *as_executor_capabilities(const as_executor *ex);
AS_API const as_config *as_executor_config(const as_executor *ex);

/* Runs every task of b exactly once with the executor's strategy and fills
 * rep (which may be NULL). Returns 0 or a negative as_errno; on error rep
 * still says what happened (rep->error). One executor runs one batch at a
 * time; threads that run batches concurrently use one executor each. */
AS_API int as_run(as_executor *ex, const as_batch *b, as_report *rep);

AS_EXTERN_C_END

#endif
