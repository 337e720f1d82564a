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

/* Dynamic hybrid balances the work (the kernel's cost), not the tasks, by
 * each side's throughput: the model's prediction until a side has run,
 * then what it measured (the GPU: its last claim; the CPU: all its threads
 * since they started). What is left, W, is shared in proportion: the GPU's
 * fair share is W * g / (g + c), a CPU thread's W * (c / threads) / (g + c).
 * The GPU claims AS_SCHED_SHARE_CLAIMED of its share at a time (its first
 * claim, a probe of at most AS_SCHED_FIRST_CLAIM of the work, before the
 * CPU threads start), never less than a CPU range while
 * its share is larger; a CPU thread takes at most that fraction of its own
 * share (and at most a range), so that the claims shrink as the queue
 * empties and both sides finish together, within about one task. A side
 * stops claiming when even the next task is more than twice its share:
 * the other finishes it sooner; the GPU also stops once it is measured
 * slower than one CPU thread, whose place its driving thread takes. The
 * thread that drives the GPU takes what is left once the GPU stops, so no
 * task is ever stranded. Without rates
 * for both sides the GPU claims 1/AS_SCHED_CLAIM_DIVISOR of the tasks left,
 * at least AS_SCHED_CLAIM_MIN_RANGES ranges. */
#define AS_SCHED_SHARE_CLAIMED 0.5
#define AS_SCHED_CLAIM_DIVISOR 4
#define AS_SCHED_CLAIM_MIN_RANGES 4

/* The GPU's first claim is at most this share of the batch's work: a
 * probe, since until a side has run nothing corrects the model's rates
 * (the built-in ones may be another machine's, and the CPU side's are
 * scaled from all threads to one fewer as if threads added linearly). */
#define AS_SCHED_FIRST_CLAIM (1.0 / 16)

/* Whether a GPU of throughput g is worth the thread that drives it, beside
 * cpu_threads threads of total throughput c: its thread would do c /
 * cpu_threads as one of them (on the sim it computes the GPU's part too). */
static inline int as__gpu_worth_its_thread(double g, double c,
                                           int cpu_threads) {
  return g >= c / cpu_threads;
}

/* Work w's fair share for throughput mine of total throughput all. */
static inline double as__fair_share(double w, double mine, double all) {
  return all > 0 ? w * mine / all : 0;
}

/* Whether a side whose fair share of what is left is `share` should take
 * the next task, of work `next`. */
static inline int as__worth_claiming(double share, double next) {
  return next <= 2 * share;
}

/* Guided scheduling's next range for one of `threads` threads when `left`
 * tasks remain: a share of what is left, so that early ranges are long
 * (a kernel call's set-up is amortised) and the last are single tasks (no
 * thread is left finishing a long range while the others wait). */
static inline size_t as__guided_range(size_t left, int threads) {
  size_t size = left / (2 * (size_t)threads);
  return size ? size : 1;
}

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
