/* Token streams for the search tests: families of random streams over a
 * small alphabet (so tokens repeat, as opcodes do) and copies of them with
 * insertions, deletions and substitutions at random rates, and a plain
 * dynamic-programming LCS to judge them by. */
#ifndef ACCELSTRAT_TEST_STREAMS_H
#define ACCELSTRAT_TEST_STREAMS_H

#include <stdint.h>
#include <stdlib.h>

#include "test_util.h"

typedef struct streams {
  size_t n;
  uint32_t **tok;
  uint32_t *len;
} streams;

static inline void streams_free(streams *s) {
  for (size_t f = 0; f < s->n; f++) free(s->tok[f]);
  free(s->tok), free(s->len);
}

static inline streams make_streams(test_rng *rng, size_t n, uint32_t max_len) {
  streams s = {n, calloc(n, sizeof(uint32_t *)), calloc(n, sizeof(uint32_t))};
  uint32_t alphabet = 2 + test_below(rng, 40);
  for (size_t f = 0; f < n; f++) {
    int copy = f > 0 && test_chance(rng, 0.7);
    size_t from = copy ? test_below(rng, f) : 0;
    const uint32_t *base = copy ? s.tok[from] : NULL;
    uint32_t base_len = copy ? s.len[from] : 0;
    uint32_t cap = copy ? 2 * base_len + 8 : max_len;
    uint32_t *t = malloc(cap * sizeof *t);
    uint32_t m = 0;
    if (!copy) {
      m = 1 + test_below(rng, max_len);
      for (uint32_t k = 0; k < m; k++) t[k] = test_below(rng, alphabet);
    } else {
      double rate = 0.3 * (double)test_below(rng, 1000) / 1000.0;
      for (uint32_t k = 0; k < base_len && m + 2 < cap; k++) {
        if (test_chance(rng, rate / 3)) continue; /* deleted */
        if (test_chance(rng, rate / 3)) t[m++] = test_below(rng, alphabet);
        t[m++] =
            test_chance(rng, rate / 3) ? test_below(rng, alphabet) : base[k];
      }
      if (m == 0) t[m++] = test_below(rng, alphabet);
    }
    s.tok[f] = t;
    s.len[f] = m;
  }
  return s;
}

static inline uint32_t ref_lcs(const uint32_t *a, uint32_t m, const uint32_t *b,
                               uint32_t n) {
  uint32_t *row = calloc((size_t)n + 1, sizeof *row);
  for (uint32_t i = 1; i <= m; i++) {
    uint32_t diag = 0;
    for (uint32_t j = 1; j <= n; j++) {
      uint32_t up = row[j];
      row[j] = a[i - 1] == b[j - 1] ? diag + 1
               : row[j - 1] > up    ? row[j - 1]
                                    : up;
      diag = up;
    }
  }
  uint32_t r = row[n];
  free(row);
  return r;
}

/* Stable, so that equal lengths keep their order. */
static inline void streams_sort_by_length(streams *s) {
  for (size_t f = 1; f < s->n; f++)
    for (size_t g = f; g > 0 && s->len[g - 1] > s->len[g]; g--) {
      uint32_t *t = s->tok[g];
      uint32_t l = s->len[g];
      s->tok[g] = s->tok[g - 1], s->len[g] = s->len[g - 1];
      s->tok[g - 1] = t, s->len[g - 1] = l;
    }
}

#endif
