#include "synth.h"

#include <stdlib.h>
#include <string.h>

#include <accelstrat/error.h>
#include <accelstrat/kernels.h>

typedef struct rng {
  uint64_t s;
} rng;

static uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

static uint64_t next(rng *r) { /* xorshift64* */
  r->s ^= r->s >> 12;
  r->s ^= r->s << 25;
  r->s ^= r->s >> 27;
  return r->s * 0x2545f4914f6cdd1dull;
}

static uint32_t below(rng *r, uint32_t n) {
  return n ? (uint32_t)((next(r) >> 32) * n >> 32) : 0;
}

static uint32_t length(rng *r, const as_synth_shape *sh) {
  uint32_t lo = sh->min_len, hi = sh->max_len < lo ? lo : sh->max_len;
  return lo + below(r, hi - lo + 1);
}

static void fill(rng *r, uint32_t *dst, uint32_t len, uint32_t alphabet) {
  for (uint32_t i = 0; i < len; i++) dst[i] = below(r, alphabet);
}

/* Near-duplicate b of a, as described in synth.h. */
static void mutate(rng *r, const uint32_t *a, uint32_t len_a, uint32_t *b,
                   uint32_t len_b, uint32_t alphabet, uint32_t every) {
  uint32_t k = 0;
  for (uint32_t i = 0; every && i < len_a && k < len_b; i++) {
    uint32_t roll = below(r, every * 3);
    if (roll == 0) continue;                       /* dropped */
    b[k++] = roll == 1 ? below(r, alphabet) : a[i]; /* changed or kept */
    if (roll == 2 && k < len_b) b[k++] = below(r, alphabet); /* doubled */
  }
  fill(r, b + k, len_b - k, alphabet);
}

static int make_streams(as_synth *s, rng *r, const as_synth_shape *sh,
                        uint32_t alphabet, int pairs) {
  uint32_t *len = malloc((sh->n ? sh->n : 1) * 2 * sizeof *len);
  s->offsets = malloc((sh->n + 1) * sizeof *s->offsets);
  if (!len || !s->offsets) {
    free(len);
    return AS_ENOMEM;
  }
  size_t words = 0;
  for (size_t i = 0; i < sh->n; i++) {
    len[2 * i] = length(r, sh);
    len[2 * i + 1] = pairs ? length(r, sh) : 0;
    words += len[2 * i] + len[2 * i + 1] + (pairs ? 2 : 0);
  }
  s->words = malloc((words ? words : 1) * sizeof *s->words);
  if (!s->words) {
    free(len);
    return AS_ENOMEM;
  }
  size_t at = 0;
  for (size_t i = 0; i < sh->n; i++) {
    s->offsets[i] = at * sizeof(uint32_t);
    uint32_t la = len[2 * i], lb = len[2 * i + 1];
    uint32_t *w = s->words + at;
    if (pairs) {
      w[0] = la;
      w[1] = lb;
      fill(r, w + 2, la, alphabet);
      mutate(r, w + 2, la, w + 2 + la, lb, alphabet, sh->every);
      at += 2;
    } else {
      fill(r, w, la, alphabet);
    }
    at += la + lb;
  }
  s->offsets[sh->n] = at * sizeof(uint32_t);
  free(len);
  s->batch.data = s->words;
  s->batch.offsets = s->offsets;
  return 0;
}

static int make_signatures(as_synth *s, rng *r, size_t n) {
  if (n > UINT32_MAX) return AS_EINVAL;
  size_t size = sizeof(as_candidates_shared) + n * sizeof(as_signature);
  as_candidates_shared *hdr = malloc(size);
  if (!hdr) return AS_ENOMEM;
  hdr->n = (uint32_t)n;
  hdr->min_matches = as_candidates_min_matches(0.5);
  hdr->max_out = AS_CANDIDATES_MAX;
  hdr->reserved = 0;
  as_signature *sig = (as_signature *)(hdr + 1);
  enum { FAMILIES = 7 };
  as_signature base[FAMILIES];
  for (int f = 0; f < FAMILIES; f++)
    for (int k = 0; k < AS_MINHASH_K; k++) base[f].h[k] = (uint32_t)next(r);
  for (size_t i = 0; i < n; i++) {
    sig[i] = base[below(r, FAMILIES)];
    uint32_t changes = below(r, 5) == 0 ? 0 : below(r, AS_MINHASH_K + 1);
    for (uint32_t c = 0; c < changes; c++)
      sig[i].h[below(r, AS_MINHASH_K)] = below(r, 4);
  }
  s->shared = hdr;
  s->batch.shared = hdr;
  s->batch.shared_size = size;
  return 0;
}

int as__synth_make(as_synth *s, const as_kernel *k, const as_synth_shape *sh,
                   uint64_t seed) {
  memset(s, 0, sizeof *s);
  rng r = {splitmix64(seed) | 1};
  uint32_t alphabet = sh->alphabet ? sh->alphabet : 256;
  int rc;
  if (k == &as_kernel_fingerprint) rc = make_streams(s, &r, sh, alphabet, 0);
  else if (k == &as_kernel_align) rc = make_streams(s, &r, sh, alphabet, 1);
  else if (k == &as_kernel_candidates) rc = make_signatures(s, &r, sh->n);
  else rc = AS_EINVAL;
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
