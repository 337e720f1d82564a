#include "synth.h"

#include <stdlib.h>
#include <string.h>

#include <accelstrat/error.h>

#include "registry.h"

uint32_t as__synth_length(as_rng *r, const as_synth_shape *sh) {
  uint32_t lo = sh->min_len, hi = sh->max_len < lo ? lo : sh->max_len;
  return lo + as__rng_below(r, hi - lo + 1);
}

void as__synth_fill(as_rng *r, uint32_t *dst, uint32_t len, uint32_t alphabet) {
  for (uint32_t i = 0; i < len; i++) dst[i] = as__rng_below(r, alphabet);
}

void as__synth_mutate_by(as_rng *r, const uint32_t *a, uint32_t len_a,
                         uint32_t *b, uint32_t len_b, uint32_t every,
                         as_synth_token_fn token, void *ctx) {
  uint32_t k = 0;
  for (uint32_t i = 0; every && i < len_a && k < len_b; i++) {
    uint32_t roll = as__rng_below(r, every * 3);
    if (roll == 0) continue;                            /* dropped */
    b[k++] = roll == 1 ? token(r, ctx) : a[i];          /* changed or kept */
    if (roll == 2 && k < len_b) b[k++] = token(r, ctx); /* doubled */
  }
  while (k < len_b) b[k++] = token(r, ctx);
}

static uint32_t uniform_token(as_rng *r, void *alphabet) {
  return as__rng_below(r, *(const uint32_t *)alphabet);
}

void as__synth_mutate(as_rng *r, const uint32_t *a, uint32_t len_a, uint32_t *b,
                      uint32_t len_b, uint32_t alphabet, uint32_t every) {
  as__synth_mutate_by(r, a, len_a, b, len_b, every, uniform_token, &alphabet);
}

int as__synth_make(as_synth *s, const as_kernel *k, const as_synth_shape *sh,
                   uint64_t seed) {
  memset(s, 0, sizeof *s);
  as_rng r = as__rng_seeded(seed);
  uint32_t alphabet = sh->alphabet ? sh->alphabet : 256;
  const as_builtin *e = as__builtin_of(k);
  int rc = e && e->make ? e->make(s, &r, sh, alphabet) : AS_EINVAL;
  if (rc == 0 && !(s->out = calloc(sh->n ? sh->n : 1, k->out_size)))
    rc = AS_ENOMEM;
  if (rc < 0) {
    as__synth_free(s);
    return rc;
  }
  s->batch.kernel = k;
  s->batch.n = sh->n;
  s->batch.out = s->out;
  return 0;
}

void as__synth_free(as_synth *s) {
  free(s->words);
  free(s->offsets);
  free(s->shared);
  free(s->out);
  memset(s, 0, sizeof *s);
}
