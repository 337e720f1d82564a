/* Runtime internals shared between its files. */
#ifndef ACCELSTRAT_RUNTIME_INTERNAL_H
#define ACCELSTRAT_RUNTIME_INTERNAL_H

#include <stdint.h>
#include <time.h>

#include <accelstrat/executor.h>

struct as_executor {
  as_config cfg;
  as_capabilities caps;
};

static inline uint64_t as__now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Runs tasks [0, b->n) of b on up to `threads` OpenMP threads with dynamic
 * scheduling. Returns 0 or the first error a kernel call returned. */
int as__cpu_run(const as_batch *b, int threads);

#endif
