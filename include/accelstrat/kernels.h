/* The built-in kernels of near-duplicate detection and their data layouts.
 * The per-task math lives in runtime/kernels/ as host+device C shared with
 * the GPU backend, so every device computes the same bits. */
#ifndef ACCELSTRAT_KERNELS_H
#define ACCELSTRAT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "export.h"
#include "kernel.h"

AS_EXTERN_C_BEGIN

/* filter: the exact candidate search over functions in non-decreasing
 * length. Task t is one block of partners for one query function: its input
 * is an as_filter_task {query i, block b}; its
 * output has bit k of word w set iff j = AS_FILTER_BLOCK * b + 64 * w + k
 * satisfies j < i and the pair (i, j) passes both proven upper bounds of
 * 2 * LCS / (len_i + len_j) at min_similarity:
 *   lengths  2 * min(len_i, len_j) reaches it, and
 *   overlap  2 * sum over tokens t of min(c_i(t), c_j(t)) reaches it,
 * where "x reaches s for a pair" is as_similarity_reaches(x/2, total, s).
 * The output depends only on the histograms and min_similarity: the prefix
 * index in the shared block only makes the search fast (its completeness is
 * proven in runtime/kernels/filter.h). Build the shared block with
 * as_filter_build and the tasks with as_filter_tasks. Cost: the posting
 * entries the query scans. */
#define AS_FILTER_BLOCK 512
#define AS_FILTER_WORDS (AS_FILTER_BLOCK / 64)

typedef struct as_filter_task {
  uint32_t query;
  uint32_t block;
} as_filter_task;

typedef struct as_filter_out {
  uint64_t bits[AS_FILTER_WORDS];
} as_filter_out;

/* The shared block: this header, then the uint32_t arrays
 *   len[n]                 tokens of function f (>= 1; = the sum of its
 *                          counts; non-decreasing in f)
 *   hist_start[n + 1]      f's histogram is entries [hist_start[f],
 *                          hist_start[f + 1]) of hist_token / hist_count,
 *                          tokens strictly ascending, counts >= 1
 *   prefix_start[n + 1]    f's probing prefix is entries [prefix_start[f],
 *                          prefix_start[f + 1]) of prefix (element ids)
 *   post_start[n_elements + 1]  element e's posting list is entries
 *                          [post_start[e], post_start[e + 1]) of post: the
 *                          functions whose indexing prefix holds e, ascending
 *   hist_token[n_hist], hist_count[n_hist], prefix[n_prefix], post[n_post]
 *   prefix_place[n_prefix]  each prefix entry's place in its function's
 *                          element order (< its length)
 *   post_place[n_post]     each posting entry's place in the order of the
 *                          function it names (< that function's length) */
typedef struct as_filter_shared {
  uint32_t n;          /* functions */
  uint32_t n_elements; /* prefix elements (ids 0 .. n_elements - 1) */
  uint32_t n_hist;
  uint32_t n_prefix;
  uint32_t n_post;
  uint32_t reserved;     /* 0 */
  double min_similarity; /* 0 < s <= 1 */
} as_filter_shared;

/* Builds the shared block of n token streams (tokens[f], len[f] >= 1, in
 * non-decreasing length) for min_similarity in (0, 1]: one allocation,
 * released with free(). Returns 0, AS_EINVAL (a bad length or order, or
 * threshold) or AS_ENOMEM. */
AS_API int as_filter_build(const uint32_t *const *tokens, const uint32_t *len,
                           size_t n, double min_similarity,
                           as_filter_shared **shared, size_t *size);

/* as_filter_build over streams in any order: they are taken by
 * non-decreasing length, ties by index, and order[k] (n entries) gets the
 * index of the block's function k. Returns as as_filter_build. */
AS_API int as_filter_build_any_order(const uint32_t *const *tokens,
                                     const uint32_t *len, size_t n,
                                     double min_similarity, uint32_t *order,
                                     as_filter_shared **shared, size_t *size);

/* The tasks of a search over every pair of the block's n functions: each
 * query against the blocks of partners below it, leaving out blocks whose
 * functions are all too short to pass the length bound with it. *tasks is
 * malloc'd. Returns 0 or AS_ENOMEM. */
AS_API int as_filter_tasks(const as_filter_shared *shared,
                           as_filter_task **tasks, size_t *n_tasks);

/* The same tasks for queries [begin, end) only, in the same order: a search
 * too large for one batch runs as batches of consecutive queries. */
AS_API int as_filter_tasks_of(const as_filter_shared *shared, uint32_t begin,
                              uint32_t end, as_filter_task **tasks,
                              size_t *n_tasks);

/* How many tasks query i has (0 for i >= n). */
AS_API size_t as_filter_query_tasks(const as_filter_shared *shared,
                                    uint32_t query);

/* Whether common aligned (or bounded) tokens out of total make a pair at
 * least min_similarity similar: 2 * common >= min_similarity * total, the one
 * comparison every stage uses, so a bound that passes is never stricter than
 * the value it bounds. */
#ifdef __CUDACC__
__host__ __device__
#endif
    static inline int
    as_similarity_reaches(uint64_t common, uint64_t total,
                          double min_similarity) {
  return 2.0 * (double)common >= min_similarity * (double)total;
}

/* align: task i's input is an as_align_task header followed by len_a then
 * len_b uint32_t tokens; the output is LCS(a, b). similarity =
 * 2 * lcs / (len_a + len_b) (1 for two empty streams). Cost: the
 * bit-parallel algorithm's word steps, n x (ceil(m / 64) + log2 m) + m log2 m
 * for the shorter length m and the longer n (what its time follows; cells,
 * m x n, overprice long pairs). */
typedef struct as_align_task {
  uint32_t len_a;
  uint32_t len_b;
  /* uint32_t a[len_a], b[len_b] follow */
} as_align_task;

typedef struct as_align_out {
  uint32_t lcs;
  uint32_t total; /* len_a + len_b */
} as_align_out;

AS_API extern const as_kernel as_kernel_filter;
AS_API extern const as_kernel as_kernel_align;

AS_EXTERN_C_END

#endif
