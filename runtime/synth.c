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

/* Align pairs: a stream and its near-duplicate per task. */
static int make_pairs(as_synth *s, rng *r, const as_synth_shape *sh,
                      uint32_t alphabet) {
  uint32_t *len = malloc((sh->n ? sh->n : 1) * 2 * sizeof *len);
  s->offsets = malloc((sh->n + 1) * sizeof *s->offsets);
  if (!len || !s->offsets) {
    free(len);
    return AS_ENOMEM;
  }
  size_t words = 0;
  for (size_t i = 0; i < sh->n; i++) {
    len[2 * i] = length(r, sh);
    len[2 * i + 1] = length(r, sh);
    words += len[2 * i] + len[2 * i + 1] + 2;
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
    w[0] = la;
    w[1] = lb;
    fill(r, w + 2, la, alphabet);
    mutate(r, w + 2, la, w + 2 + la, lb, alphabet, sh->every);
    at += 2 + la + lb;
  }
  s->offsets[sh->n] = at * sizeof(uint32_t);
  free(len);
  s->batch.data = s->words;
  s->batch.offsets = s->offsets;
  return 0;
}

/* A filter workload's functions, as synth.h describes: streams appended
 * one at a time, each fresh or a near-duplicate of an earlier one. */
typedef struct family {
  uint32_t n;
  uint32_t **tok, *len;
} family;

static void family_free(family *fm) {
  for (uint32_t f = 0; f < fm->n; f++) free(fm->tok[f]);
  free(fm->tok), free(fm->len);
}

static int family_grow(family *fm, rng *r, const as_synth_shape *sh,
                       uint32_t alphabet, uint32_t want) {
  uint32_t **tok = realloc(fm->tok, want * sizeof *tok);
  if (tok) fm->tok = tok;
  uint32_t *len = realloc(fm->len, want * sizeof *len);
  if (len) fm->len = len;
  if (!tok || !len) return AS_ENOMEM;
  uint32_t every = sh->every ? sh->every : 10;
  for (; fm->n < want; fm->n++) {
    uint32_t f = fm->n;
    int copy = f > 0 && below(r, 10) < 6;
    uint32_t from = copy ? below(r, f) : 0;
    uint32_t m = copy ? len[from] : length(r, sh);
    if (copy) m = m + below(r, m / 8 + 1) - m / 16;
    len[f] = m ? m : 1;
    if (!(tok[f] = malloc(len[f] * sizeof **tok))) return AS_ENOMEM;
    if (copy) mutate(r, tok[from], len[from], tok[f], len[f], alphabet, every);
    else fill(r, tok[f], len[f], alphabet);
  }
  return 0;
}

/* The search over the family's functions in the filter's order (by length,
 * ties by age): its block and all its tasks. */
static int family_search(const family *fm, double s, as_filter_shared **shared,
                         size_t *size, as_filter_task **tasks, size_t *n_tasks) {
  uint32_t *order = malloc(fm->n * sizeof *order);
  int rc = order ? as_filter_build_any_order((const uint32_t *const *)fm->tok,
                                          fm->len, fm->n, s, order, shared, size)
                 : AS_ENOMEM;
  if (rc == 0 && (rc = as_filter_tasks(*shared, tasks, n_tasks)) < 0) {
    free(*shared);
    *shared = NULL;
  }
  free(order);
  return rc;
}

/* n tasks of the search over the fewest functions (grown a quarter at a
 * time) that has at least n, taken evenly from its list. */
static int make_filter(as_synth *s, rng *r, const as_synth_shape *sh,
                       uint32_t alphabet) {
  if (sh->n > UINT32_MAX / 8) return AS_EINVAL;
  double threshold = sh->min_similarity > 0 ? sh->min_similarity : 0.8;
  family fm = {0, NULL, NULL};
  as_filter_shared *shared = NULL;
  as_filter_task *all = NULL;
  size_t size = 0, count = 0;
  uint32_t want = (uint32_t)sh->n + 2;
  int rc;
  while ((rc = family_grow(&fm, r, sh, alphabet, want)) == 0 &&
         (rc = family_search(&fm, threshold, &shared, &size, &all, &count)) == 0 &&
         count < sh->n) {
    free(shared), free(all);
    shared = NULL, all = NULL;
    if (want > UINT32_MAX / 4) rc = AS_EINVAL;
    if (rc < 0) break;
    want += want / 4 + 2;
  }
  family_free(&fm);
  s->shared = shared;
  s->words = (uint32_t *)all;
  if (rc == 0 && !(s->offsets = malloc((sh->n + 1) * sizeof *s->offsets)))
    rc = AS_ENOMEM;
  if (rc < 0) return rc;
  for (size_t t = 0; t < sh->n; t++) all[t] = all[(uint64_t)t * count / sh->n];
  for (size_t t = 0; t <= sh->n; t++) s->offsets[t] = t * sizeof *all;
  s->batch.data = all;
  s->batch.offsets = s->offsets;
  s->batch.shared = shared;
  s->batch.shared_size = size;
  return 0;
}

int as__synth_make(as_synth *s, const as_kernel *k, const as_synth_shape *sh,
                   uint64_t seed) {
  memset(s, 0, sizeof *s);
  rng r = {splitmix64(seed) | 1};
  uint32_t alphabet = sh->alphabet ? sh->alphabet : 256;
  int rc;
  if (k == &as_kernel_align) rc = make_pairs(s, &r, sh, alphabet);
  else if (k == &as_kernel_filter) rc = make_filter(s, &r, sh, alphabet);
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
