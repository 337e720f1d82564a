#include "lcs_cpu.h"

#include <string.h>

#include <accelstrat/error.h>

#include "lcs.h"
#include "support/alloc.h"

size_t as__lcs_cpu_dense_limit(uint32_t m) {
  size_t limit = (size_t)16 * m;
  return limit < ((size_t)1 << 16) ? (size_t)1 << 16 : limit;
}

static int reserve(as_lcs_cpu_ws *ws, size_t words) {
  if (words <= ws->words) return 0;
  uint64_t *mem = as__malloc(words * sizeof *mem);
  if (!mem) return AS_ENOMEM;
  as__free(ws->mem);
  ws->mem = mem;
  ws->words = words;
  return 0;
}

void as__lcs_cpu_ws_free(as_lcs_cpu_ws *ws) {
  as__free(ws->mem);
  ws->mem = NULL;
  ws->words = 0;
}

/* Open addressing with linear probing over a power of two of slots, at
 * least twice the shorter stream's length: a slot is token << 32 | (id + 1),
 * 0 when empty. */
typedef struct table {
  uint64_t *slot;
  uint32_t mask;
  unsigned shift;
  uint32_t ids; /* distinct tokens so far */
} table;

static unsigned table_bits(uint32_t m) {
  unsigned bits = 4;
  while (((uint64_t)1 << bits) < 2 * (uint64_t)m) bits++;
  return bits;
}

static void table_init(table *t, uint64_t *slot, unsigned bits) {
  t->slot = slot;
  t->mask = (uint32_t)(((uint64_t)1 << bits) - 1);
  t->shift = 32 - bits;
  t->ids = 0;
  memset(slot, 0, ((size_t)t->mask + 1) * sizeof *slot);
}

/* The slot a token's probe starts at: murmur3's finaliser, a bijection
 * whose every output bit depends on every input bit, so that tokens with
 * structure (multiples of a constant, runs of small values) spread. */
static inline uint32_t home(const table *t, uint32_t token) {
  uint32_t h = token;
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h >> t->shift;
}

/* The id of token, a new one when it is absent. */
static inline uint32_t table_add(table *t, uint32_t token) {
  for (uint32_t i = home(t, token);; i = (i + 1) & t->mask) {
    uint64_t e = t->slot[i];
    if (e == 0) {
      t->slot[i] = (uint64_t)token << 32 | (t->ids + 1);
      return t->ids++;
    }
    if ((uint32_t)(e >> 32) == token) return (uint32_t)e - 1;
  }
}

/* The id of token plus one, 0 when it is absent. */
static inline uint32_t table_find(const table *t, uint32_t token) {
  for (uint32_t i = home(t, token);; i = (i + 1) & t->mask) {
    uint64_t e = t->slot[i];
    if (e == 0 || (uint32_t)(e >> 32) == token) return (uint32_t)e;
  }
}

/* m <= 64: V and every mask are one word. The bits above m stay ones: U
 * has none there, and V & ~U restores any the carry of V + U cleared. */
static uint32_t lcs_one_word(const uint32_t *s, uint32_t m, const uint32_t *t,
                             uint32_t n, table *tab, uint64_t *masks) {
  memset(masks, 0, (size_t)m * sizeof *masks);
  for (uint32_t p = 0; p < m; p++) masks[table_add(tab, s[p])] |= 1ULL << p;
  uint64_t v = ~0ULL;
  for (uint32_t j = 0; j < n; j++) {
    uint32_t id = table_find(tab, t[j]);
    if (!id) continue;
    uint64_t u = v & masks[id - 1];
    v = (v + u) | (v & ~u);
  }
  return (uint32_t)__builtin_popcountll(~v);
}

/* One column over W words: the addition's carry runs from word to word. */
static inline void step_words(uint64_t *v, const uint64_t *match,
                              uint32_t words) {
  unsigned long long carry = 0;
  for (uint32_t w = 0; w < words; w++) {
    unsigned long long x = v[w], u = x & match[w], sum;
    unsigned long long c1 = __builtin_uaddll_overflow(x, u, &sum);
    unsigned long long c2 = __builtin_uaddll_overflow(sum, carry, &sum);
    carry = c1 | c2;
    v[w] = sum | (x & ~u);
  }
}

static uint32_t lcs_dense(const uint32_t *t, uint32_t n, const table *tab,
                          const uint32_t *ids, uint32_t m, uint64_t *rows,
                          uint64_t *v, uint32_t words) {
  memset(rows, 0, (size_t)tab->ids * words * sizeof *rows);
  for (uint32_t p = 0; p < m; p++)
    rows[(size_t)ids[p] * words + p / 64] |= 1ULL << (p % 64);
  for (uint32_t w = 0; w < words; w++) v[w] = ~0ULL;
  for (uint32_t j = 0; j < n; j++) {
    uint32_t id = table_find(tab, t[j]);
    if (id) step_words(v, rows + (size_t)(id - 1) * words, words);
  }
  uint32_t zeros = 0;
  for (uint32_t w = 0; w < words; w++)
    zeros += (uint32_t)__builtin_popcountll(~v[w]);
  return zeros;
}

int as__lcs_cpu(const uint32_t *a, uint32_t la, const uint32_t *b, uint32_t lb,
                as_lcs_cpu_ws *ws, uint32_t *lcs) {
  const uint32_t *s = la <= lb ? a : b, *t = la <= lb ? b : a;
  uint32_t m = la <= lb ? la : lb, n = la <= lb ? lb : la;
  *lcs = 0;
  if (m == 0) return 0;
  unsigned bits = table_bits(m);
  size_t slots = (size_t)1 << bits;
  table tab;
  if (m <= 64) {
    if (reserve(ws, slots + m) < 0) return AS_ENOMEM;
    table_init(&tab, ws->mem, bits);
    *lcs = lcs_one_word(s, m, t, n, &tab, ws->mem + slots);
    return 0;
  }
  uint32_t words = as__lcs_words(m);
  size_t id_words = ((size_t)m + 1) / 2, most_rows = (size_t)m * words;
  size_t limit = as__lcs_cpu_dense_limit(m);
  if (most_rows > limit) most_rows = limit;
  if (reserve(ws, slots + id_words + words + most_rows) < 0) return AS_ENOMEM;
  table_init(&tab, ws->mem, bits);
  uint32_t *ids = (uint32_t *)(ws->mem + slots);
  for (uint32_t p = 0; p < m; p++) ids[p] = table_add(&tab, s[p]);
  if ((size_t)tab.ids * words <= limit) {
    uint64_t *v = ws->mem + slots + id_words;
    *lcs = lcs_dense(t, n, &tab, ids, m, v + words, v, words);
    return 0;
  }
  /* Too many distinct tokens for dense rows: lcs.h's sorted positions. */
  if (reserve(ws, as_lcs_workspace_words(la, lb)) < 0) return AS_ENOMEM;
  *lcs = as_lcs(a, la, b, lb, ws->mem);
  return 0;
}
