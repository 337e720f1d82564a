#include <omp.h>

#include "internal.h"

/* Ranges small enough that dynamic scheduling balances uneven task costs,
 * large enough that a kernel's per-call set-up is amortised. */
static size_t range_size(size_t n, int threads) {
  size_t ranges = (size_t)threads * 16;
  size_t size = n / ranges;
  return size ? size : 1;
}

int as__cpu_run(const as_batch *b, int threads) {
  if (b->n == 0) return 0;
  if (threads <= 1) return b->kernel->cpu(b, 0, b->n); /* no thread start-up */
  const size_t size = range_size(b->n, threads);
  const size_t ranges = (b->n + size - 1) / size;
  const as_cpu_fn fn = b->kernel->cpu;
  int rc = 0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (size_t r = 0; r < ranges; r++) {
    int failed;
#pragma omp atomic read
    failed = rc;
    if (failed) continue; /* the batch fails; skip the remaining work */
    size_t begin = r * size;
    size_t end = begin + size < b->n ? begin + size : b->n;
    int err = fn(b, begin, end);
    if (err) {
#pragma omp critical(as_cpu_error)
      if (!rc) rc = err;
    }
  }
  return rc;
}
