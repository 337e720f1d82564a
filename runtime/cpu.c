#include <stdatomic.h>

#include <omp.h>

#include "internal.h"

/* Set once a team of several threads has run in this process: the first
 * one creates the threads (milliseconds on a busy virtual machine). */
static atomic_int team_up;

int as__cpu_team_up(void) { return atomic_load_explicit(&team_up, memory_order_relaxed); }

void as__cpu_team_started(void) { atomic_store_explicit(&team_up, 1, memory_order_relaxed); }

size_t as__cpu_range_size(size_t n, int threads) {
  size_t size = n / ((size_t)threads * 16);
  return size ? size : 1;
}

int as__cpu_run(const as_batch *b, size_t begin, size_t end, int threads) {
  if (begin >= end) return 0;
  if (threads <= 1) return b->kernel->cpu(b, begin, end); /* no thread start-up */
  const size_t size = as__cpu_range_size(end - begin, threads);
  const size_t ranges = (end - begin + size - 1) / size;
  const as_cpu_fn fn = b->kernel->cpu;
  int rc = 0;
  as__cpu_team_started();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (size_t r = 0; r < ranges; r++) {
    int failed;
#pragma omp atomic read
    failed = rc;
    if (failed) continue; /* the batch fails; skip the remaining work */
    size_t lo = begin + r * size;
    size_t hi = lo + size < end ? lo + size : end;
    int err = fn(b, lo, hi);
    if (err) {
#pragma omp critical(as_cpu_error)
      if (!rc) rc = err;
    }
  }
  return rc;
}
