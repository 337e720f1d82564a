/* Synthetic batches for the built-in kernels, from a seeded generator: what
 * calibration measures and the benchmarks replay. The same (seed, shape)
 * gives the same bytes on every machine.
 *
 * Generator: support/rng.h's xorshift64* seeded with splitmix64(seed). Tokens
 * are drawn uniformly from an alphabet of `alphabet` values (IR opcodes and
 * operand kinds give a few hundred), lengths uniformly from [min_len, max_len].
 * A near-duplicate of a stream copies it with about one token in `every`
 * changed, dropped or doubled, and is then cut or padded with fresh tokens
 * to its length. Each kernel's generator (its registry entry, in
 * kernels/kernels.c) says how its batches are made of such streams. */
#ifndef ACCELSTRAT_KERNELS_SYNTH_H
#define ACCELSTRAT_KERNELS_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include <accelstrat/kernel.h>

#include "support/rng.h"

typedef struct as_synth {
  as_batch batch;  /* ready to run: kernel, n, data, offsets, shared, out */
  uint32_t *words; /* owned buffers behind the batch */
  uint64_t *offsets;
  void *shared;
  void *out;
} as_synth;

typedef struct as_synth_shape {
  size_t n;         /* tasks */
  uint32_t min_len; /* tokens per stream */
  uint32_t max_len;
  uint32_t alphabet;     /* distinct tokens; 0 means 256 */
  uint32_t every;        /* one edit per `every` tokens (the kernel's generator
                            says what 0 means) */
  double min_similarity; /* filter: the threshold; 0 means 0.8 */
} as_synth_shape;

/* A length in [min_len, max_len]. */
uint32_t as__synth_length(as_rng *r, const as_synth_shape *sh);
/* len fresh tokens. */
void as__synth_fill(as_rng *r, uint32_t *dst, uint32_t len, uint32_t alphabet);
/* b[0, len_b): a near-duplicate of a, as above (every 0: unrelated). */
/* The same with the tokens drawn by token(r, ctx) (the conformance
 * check's edge values). */
typedef uint32_t (*as_synth_token_fn)(as_rng *r, void *ctx);
void as__synth_mutate_by(as_rng *r, const uint32_t *a, uint32_t len_a,
                         uint32_t *b, uint32_t len_b, uint32_t every,
                         as_synth_token_fn token, void *ctx);
void as__synth_mutate(as_rng *r, const uint32_t *a, uint32_t len_a, uint32_t *b,
                      uint32_t len_b, uint32_t alphabet, uint32_t every);

/* A kernel's generator: fills s's words, offsets and shared block and its
 * batch's data, offsets and shared fields for shape. 0, AS_ENOMEM or
 * AS_EINVAL; what it allocated is freed by as__synth_free either way. */
typedef int (*as_synth_fn)(as_synth *s, as_rng *r, const as_synth_shape *shape,
                           uint32_t alphabet);

/* Builds a batch of built-in kernel k with its generator; returns 0,
 * AS_ENOMEM or AS_EINVAL (a kernel without one). */
int as__synth_make(as_synth *s, const as_kernel *k, const as_synth_shape *shape,
                   uint64_t seed);
void as__synth_free(as_synth *s);

#endif
