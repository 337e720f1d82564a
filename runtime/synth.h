/* Synthetic batches for the built-in kernels, from a seeded generator: what
 * calibration measures and the benchmarks replay. The same (seed, shape)
 * gives the same bytes on every machine.
 *
 * Generator: xorshift64* seeded with splitmix64(seed). Tokens are drawn
 * uniformly from an alphabet of `alphabet` values (IR opcodes and operand
 * kinds give a few hundred). An align task is a stream a of len_a tokens and
 * a near-duplicate b of len_b tokens: b copies a, and about one token in
 * `every` is changed, dropped or doubled (every 0: b drawn independently);
 * b is then cut or padded with fresh tokens to len_b. Lengths are drawn
 * uniformly from [min_len, max_len].
 *
 * A filter batch searches families of functions, as a program's copies
 * are: each function is either fresh (min_len..max_len tokens) or, six
 * times in ten, a near-duplicate of an earlier one (that mutation, its
 * length changed by -1/16..+1/16). The functions, in the filter's order
 * (by length), go through as_filter_build and as_filter_tasks; their
 * number grows until the search has at least n tasks, and n of them are
 * taken evenly from its list. */
#ifndef ACCELSTRAT_RUNTIME_SYNTH_H
#define ACCELSTRAT_RUNTIME_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include <accelstrat/kernel.h>

typedef struct as_synth {
  as_batch batch;    /* ready to run: kernel, n, data, offsets, shared, out */
  uint32_t *words;   /* owned buffers behind the batch */
  uint64_t *offsets;
  void *shared;
  void *out;
} as_synth;

typedef struct as_synth_shape {
  size_t n;          /* tasks */
  uint32_t min_len;  /* tokens per stream */
  uint32_t max_len;
  uint32_t alphabet; /* distinct tokens; 0 means 256 */
  uint32_t every;    /* align: one edit per `every` tokens; 0: unrelated.
                        filter: the families' edit rate; 0 means 10 */
  double min_similarity; /* filter: the threshold; 0 means 0.8 */
} as_synth_shape;

/* Builds a batch of kernel k ("filter" or "align"); returns 0, AS_ENOMEM or
 * AS_EINVAL (another kernel). */
int as__synth_make(as_synth *s, const as_kernel *k, const as_synth_shape *shape,
                   uint64_t seed);
void as__synth_free(as_synth *s);

#endif
