#include "yardstick.h"

#include <stdlib.h>
#include <string.h>

static int grow(void **p, size_t *cap, size_t want, size_t size) {
  if (want <= *cap) return 0;
  void *q = realloc(*p, want * size);
  if (!q) return -1;
  *p = q;
  *cap = want;
  return 0;
}

int64_t bench_yardstick_lcs(bench_yardstick *y, const uint32_t *a, uint32_t la,
                            const uint32_t *b, uint32_t lb) {
  if (la > lb) { /* the shorter stream gets the masks */
    const uint32_t *t = a;
    a = b;
    b = t;
    uint32_t n = la;
    la = lb;
    lb = n;
  }
  if (la == 0) return 0;
  size_t slots = 16, words = (la + 63) / 64;
  while (slots < 2 * (size_t)la) slots *= 2;
  if (grow((void **)&y->slot, &y->cap_slots, slots, sizeof *y->slot) ||
      grow((void **)&y->v, &y->cap_words, words, sizeof *y->v) ||
      grow((void **)&y->masks, &y->cap_masks, (size_t)la * words,
           sizeof *y->masks))
    return -1;
  memset(y->slot, 0, slots * sizeof *y->slot);
  uint32_t rows = 0;
  for (uint32_t i = 0; i < la; i++) {
    size_t h = (a[i] * 2654435761u) & (slots - 1);
    while (y->slot[h].row && y->slot[h].token != a[i])
      h = (h + 1) & (slots - 1);
    if (!y->slot[h].row) {
      y->slot[h].token = a[i];
      y->slot[h].row = ++rows;
      memset(y->masks + (size_t)(rows - 1) * words, 0,
             words * sizeof *y->masks);
    }
    y->masks[(size_t)(y->slot[h].row - 1) * words + i / 64] |= 1ULL << (i % 64);
  }
  for (size_t w = 0; w < words; w++) y->v[w] = ~0ULL;
  for (uint32_t j = 0; j < lb; j++) {
    size_t h = (b[j] * 2654435761u) & (slots - 1);
    while (y->slot[h].row && y->slot[h].token != b[j])
      h = (h + 1) & (slots - 1);
    if (!y->slot[h].row) continue;
    const uint64_t *m = y->masks + (size_t)(y->slot[h].row - 1) * words;
    uint64_t carry = 0;
    for (size_t w = 0; w < words; w++) {
      uint64_t v = y->v[w], u = v & m[w];
      uint64_t sum = v + u + carry;
      carry = sum < v || (carry && sum == v);
      y->v[w] = sum | (v & ~u);
    }
  }
  int64_t lcs = 0;
  for (size_t w = 0; w < words; w++) lcs += __builtin_popcountll(~y->v[w]);
  return lcs;
}

void bench_yardstick_free(bench_yardstick *y) {
  free(y->slot);
  free(y->masks);
  free(y->v);
  memset(y, 0, sizeof *y);
}
