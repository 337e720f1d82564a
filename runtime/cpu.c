#include <omp.h>

#include "internal.h"

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
