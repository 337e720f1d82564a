/* The schedulers' policy in one place: how the CPU threads take ranges of
 * the hybrid strategies' shared queue (cpu.c, offload.c), how large a GPU
 * chunk may be, and what dynamic hybrid's GPU claims (offload.c). The cost
 * model (model/predict.c) predicts the same schedule from these, so tuning one
 * of them changes both the runs and their predictions. */
#ifndef ACCELSTRAT_RUNTIME_SCHEDULE_H
#define ACCELSTRAT_RUNTIME_SCHEDULE_H

#include <stdatomic.h>
#include <stddef.h>

#include <accelstrat/backend.h>

/* Ranges per CPU thread in the shared queue: small enough that dynamic
 * scheduling balances uneven task costs, large enough that a kernel's
 * per-call set-up is amortised. */
#define AS_SCHED_RANGES_PER_THREAD 16

/* A GPU chunk fills at most 1/N of the device's free memory: the backend
 * needs room for staging too (public: the bench sizes its sim by it). */
#define AS_SCHED_CHUNK_MEM_DIVISOR AS_GPU_CHUNK_MEM_DIVISOR

/* Dynamic hybrid: the GPU claims 1/N of what is left of the shared queue at
 * a time (its first claim before the CPU threads start), and never fewer
 * tasks than this many CPU ranges. */
#define AS_SCHED_CLAIM_DIVISOR 4
#define AS_SCHED_CLAIM_MIN_RANGES 4

/* Tasks per range handed to one CPU thread at a time by the shared queue of
 * n tasks among `threads` threads. */
static inline size_t as__cpu_range_size(size_t n, int threads) {
  size_t size = n / ((size_t)threads * AS_SCHED_RANGES_PER_THREAD);
  return size ? size : 1;
}

/* Bytes a GPU chunk may occupy when the device has free_bytes free. */
static inline size_t as__chunk_budget(size_t free_bytes) {
  return free_bytes / AS_SCHED_CHUNK_MEM_DIVISOR;
}

/* How many tasks the GPU claims next from a queue of n tasks of which
 * `taken` are gone, with CPU ranges of `range` tasks. */
static inline size_t as__hybrid_claim(size_t n, size_t taken, size_t range) {
  size_t want = taken < n ? (n - taken) / AS_SCHED_CLAIM_DIVISOR : 0;
  size_t least = range * AS_SCHED_CLAIM_MIN_RANGES;
  return want > least ? want : least;
}

/* Records err (when nonzero) as a run's error unless one was recorded
 * first: threads that fail at once leave the first failure, not the last. */
static inline void as__first_error(atomic_int *error, int err) {
  int none = 0;
  if (err) atomic_compare_exchange_strong(error, &none, err);
}

#endif
