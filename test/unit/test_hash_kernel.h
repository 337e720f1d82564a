/* The unit tests' hash kernel (hash_kernel.h) and random batches for it
 * with their expected outputs. */
#ifndef ACCELSTRAT_TEST_HASH_KERNEL_H
#define ACCELSTRAT_TEST_HASH_KERNEL_H

#include <stdlib.h>

#include "hash_kernel.h"
#include "test_util.h"

/* n tasks of 0..299 random bytes, and each task's expected output. */
typedef struct ragged {
  size_t n;
  unsigned char *data;
  uint64_t *offsets;
  uint64_t *expect;
} ragged;

static ragged make_ragged(test_rng *rng, size_t n) {
  ragged r = {n, NULL, malloc((n + 1) * sizeof(uint64_t)),
              calloc(n + 1, sizeof(uint64_t))};
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    r.offsets[i] = total;
    total += test_below(rng, 300);
  }
  r.offsets[n] = total;
  r.data = malloc(total ? total : 1);
  for (size_t k = 0; k < total; k++) r.data[k] = (unsigned char)test_next(rng);
  atomic_uint *counting = test_runs;
  test_runs = NULL;
  as_batch b = {&hash_kernel, n, r.data, r.offsets, NULL, 0, r.expect};
  hash_cpu(&b, 0, n); /* the reference: one plain call */
  test_runs = counting;
  return r;
}

static void free_ragged(ragged *r) {
  free(r->data);
  free(r->offsets);
  free(r->expect);
}

#endif
