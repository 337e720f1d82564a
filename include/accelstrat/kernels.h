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

/* MinHash signature length (hash functions, fixed seeds). */
#define AS_MINHASH_K 128
/* Most candidates kept per query by the candidates kernel. */
#define AS_CANDIDATES_MAX 32

/* fingerprint: task i's input is a stream of uint32_t tokens; its output is
 * the MinHash signature (AS_MINHASH_K uint32_t) of the set of 2-token
 * shingles (of the single tokens when the stream is shorter than 2; all
 * UINT32_MAX for an empty stream). Cost: tokens x K. */
typedef struct as_signature {
  uint32_t h[AS_MINHASH_K];
} as_signature;

/* candidates: task i is query function i; no per-task input. The shared block
 * is an as_candidates_shared header followed by n signatures. Output: the
 * functions j != i whose signatures agree in at least min_matches positions,
 * ordered by matches (descending) then index (ascending), at most max_out
 * (<= AS_CANDIDATES_MAX). Cost: n x K. */
typedef struct as_candidates_shared {
  uint32_t n;           /* functions */
  uint32_t min_matches; /* 0..AS_MINHASH_K */
  uint32_t max_out;     /* 1..AS_CANDIDATES_MAX */
  uint32_t reserved;    /* 0 */
  /* as_signature sig[n] follows */
} as_candidates_shared;

typedef struct as_candidate {
  uint32_t index;
  uint32_t matches;
} as_candidate;

typedef struct as_candidates_out {
  uint32_t count;
  uint32_t reserved;
  as_candidate c[AS_CANDIDATES_MAX];
} as_candidates_out;

/* Minimum equal positions for an estimated Jaccard similarity >= j, rounded up
 * so that the integer test is exactly "matches / K >= j". */
AS_API uint32_t as_candidates_min_matches(double jaccard);

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

AS_API extern const as_kernel as_kernel_fingerprint;
AS_API extern const as_kernel as_kernel_candidates;
AS_API extern const as_kernel as_kernel_align;

AS_EXTERN_C_END

#endif
