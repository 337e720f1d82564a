/* accelstrat-gpu-check's inputs: a seeded generator, ragged batches of align
 * pairs and filter searches over families of near-duplicate functions, all
 * through the public API (the check links the shared runtime). A host that
 * runs out of memory here exits: the check cannot go on without them. */
#ifndef ACCELSTRAT_TEST_GPU_CHECK_INPUTS_H
#define ACCELSTRAT_TEST_GPU_CHECK_INPUTS_H

#include <stddef.h>
#include <stdint.h>

#include <accelstrat/accelstrat.h>

void *gc_xmalloc(size_t n);
void *gc_xrealloc(void *p, size_t n);

/* SplitMix64 from the seed. */
void gc_seed(uint64_t seed);
uint64_t gc_rnd(void);
uint32_t gc_below(uint32_t n);
/* A token from an alphabet of that many values (0: any 32-bit value),
 * including the extremes 0 and UINT32_MAX. */
uint32_t gc_token(uint32_t alphabet);

/* Tasks' words back to back, n + 1 byte offsets. */
typedef struct gc_ragged {
  uint32_t *w;
  size_t len, cap;
  uint64_t *off;
  size_t n, off_cap;
} gc_ragged;

void gc_ragged_init(gc_ragged *r);
void gc_ragged_free(gc_ragged *r);
uint32_t *gc_ragged_grow(gc_ragged *r, size_t words);
void gc_ragged_end_task(gc_ragged *r);
as_batch gc_ragged_batch(const as_kernel *k, const gc_ragged *r);

/* An align task: header, a, then b = a with about one token in `every`
 * changed, dropped or doubled (every 0: b drawn independently), cut or
 * padded to len_b. */
void gc_add_pair(gc_ragged *r, uint32_t len_a, uint32_t len_b,
                 uint32_t alphabet, uint32_t every);
/* Sum of len_a * len_b over the tasks. */
uint64_t gc_align_cells(const gc_ragged *r);

/* A filter search: n functions of min_len..max_len tokens, six in ten a
 * near-duplicate of an earlier one (one edit in `every`, its length within
 * 1/16), in the filter's order (by length); the shared block at threshold
 * s and every task of the search. */
typedef struct gc_search {
  as_filter_shared *shared;
  size_t size, n_tasks;
  as_filter_task *tasks;
  uint64_t *off;
} gc_search;

void gc_search_make(gc_search *q, uint32_t n, uint32_t min_len,
                    uint32_t max_len, uint32_t alphabet, uint32_t every,
                    double s);
void gc_search_free(gc_search *q);
as_batch gc_search_batch(const gc_search *q);

#endif
