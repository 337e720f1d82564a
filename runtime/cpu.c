#include <stdatomic.h>

#include <omp.h>

#include "internal.h"
#include "schedule.h"

/* Set once a team of several threads has run in this process: the first
 * one creates the threads (milliseconds on a busy virtual machine). */
static atomic_int team_up;

int as__cpu_team_up(void) {
  return atomic_load_explicit(&team_up, memory_order_relaxed);
}

void as__cpu_team_started(void) {
  atomic_store_explicit(&team_up, 1, memory_order_relaxed);
}

/* The next range for a thread, guided (schedule.h; task costs vary by 16x
 * within a batch of align pairs): [*lo, *hi); 0 when the queue is empty. */
static int claim(atomic_size_t *next, size_t end, int threads, size_t *lo,
                 size_t *hi) {
  size_t at = atomic_load_explicit(next, memory_order_relaxed);
  for (;;) {
    if (at >= end) return 0;
    const size_t size = as__guided_range(end - at, threads);
    if (atomic_compare_exchange_weak_explicit(
            next, &at, at + size, memory_order_relaxed, memory_order_relaxed)) {
      *lo = at;
      *hi = at + size;
      return 1;
    }
  }
}

int as__cpu_run_idle(const as_batch *b, size_t begin, size_t end, int threads,
                     void (*idle)(void *), void *arg) {
  if (begin >= end) return 0;
  if (threads <= 1)
    return b->kernel->cpu(b, begin, end); /* no thread start-up */
  const as_cpu_fn fn = b->kernel->cpu;
  atomic_size_t next = begin;
  atomic_int rc = 0, idle_taken = 0;
  as__cpu_team_started();
#pragma omp parallel num_threads(threads)
  {
    size_t lo, hi;
    /* After a failure the batch fails: the remaining work is skipped. */
    while (!atomic_load_explicit(&rc, memory_order_relaxed) &&
           claim(&next, end, threads, &lo, &hi)) {
      as__first_error(&rc, fn(b, lo, hi));
    }
    if (idle && !atomic_exchange_explicit(&idle_taken, 1, memory_order_relaxed))
      idle(arg);
  }
  return atomic_load(&rc);
}

int as__cpu_run(const as_batch *b, size_t begin, size_t end, int threads) {
  return as__cpu_run_idle(b, begin, end, threads, NULL, NULL);
}
