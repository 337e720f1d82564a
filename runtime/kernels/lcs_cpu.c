#include "lcs_cpu.h"

#include <stdatomic.h>
#include <string.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include <accelstrat/error.h>

#include "lcs.h"
#include "lcs_simd.h"
#include "support/alloc.h"

/* as__lcs_simd's use: -1 until the first pair asks the CPU, then 0 or 1. */
static _Atomic int simd_state = -1;

static int simd_on(void) {
  int on = atomic_load_explicit(&simd_state, memory_order_relaxed);
  if (on < 0) {
    on = as__lcs_simd_available();
    atomic_store_explicit(&simd_state, on, memory_order_relaxed);
  }
  return on;
}

int as__lcs_cpu_set_simd(int on) {
  int was = simd_on();
  atomic_store_explicit(&simd_state, on && as__lcs_simd_available(),
                        memory_order_relaxed);
  return was;
}

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

/* The slot a token's probe starts at: the top bits of a multiplication by
 * 2^64 / phi (Fibonacci hashing), which spreads tokens with structure
 * (multiples of a constant, runs of small values) too. */
static inline uint32_t hash_top(uint32_t token, unsigned bits) {
  return (uint32_t)(((uint64_t)token * 0x9e3779b97f4a7c15ULL) >> (64 - bits));
}

/* One word of a column: (x + u + carry) | (x & ~u) for u = x & match,
 * with the carry out: one add-with-carry on x86-64. */
#if defined(__x86_64__)
typedef unsigned char carry_t;

static inline uint64_t add_word(uint64_t x, uint64_t match, carry_t *carry) {
  unsigned long long u = x & match, sum;
  *carry = _addcarry_u64(*carry, x, u, &sum);
  return sum | (x & ~u);
}
#else
typedef unsigned long long carry_t;

static inline uint64_t add_word(uint64_t x, uint64_t match, carry_t *carry) {
  unsigned long long u = x & match, sum;
  unsigned long long c1 = __builtin_uaddll_overflow(x, u, &sum);
  unsigned long long c2 = __builtin_uaddll_overflow(sum, *carry, &sum);
  *carry = c1 | c2;
  return sum | (x & ~u);
}
#endif

/* ---- at most 256 tokens: V in up to four registers ----
 *
 * The table is the thread's short_ws.slots, 2048 slots for at most 256 tokens
 * (a load of an eighth or less: a probe's first slot is nearly always the one,
 * which keeps its branches predictable); a slot is token << 32 | stamp << 8 |
 * id, live when its stamp is the pair's. Row id is short_ws.rows[id * 4, +4);
 * the words past m are zero in every row, so V stays all ones there
 * whatever carry reaches them (V & ~U restores what V + U cleared) and they
 * count no zeros. */
#define SHORT_MAX 256
#define SHORT_BITS 11
#define SHORT_MASK ((1u << SHORT_BITS) - 1)
#define SHORT_STAMP_MAX (1u << 24)
#define SHORT_STAMP_MASK ((uint64_t)(SHORT_STAMP_MAX - 1) << 8)

typedef struct short_state {
  uint64_t slots[1u << SHORT_BITS];
  uint64_t rows[SHORT_MAX * 4];
  uint32_t stamp;
} short_state;

/* Zero when the thread starts, then never cleared but at a stamp's wrap. */
static _Thread_local short_state short_ws;

/* s's rows (row id: the bits of id's positions); the live stamp. */
static uint64_t short_rows(const uint32_t *s, uint32_t m, short_state *ws) {
  if (++ws->stamp == SHORT_STAMP_MAX) {
    memset(ws->slots, 0, sizeof ws->slots);
    ws->stamp = 1;
  }
  const uint64_t live = (uint64_t)ws->stamp << 8;
  uint64_t *slot = ws->slots;
  uint32_t ids = 0;
  for (uint32_t p = 0; p < m; p++) {
    uint32_t i = hash_top(s[p], SHORT_BITS), id;
    for (;; i = (i + 1) & SHORT_MASK) {
      uint64_t e = slot[i];
      if ((e & SHORT_STAMP_MASK) != live) {
        slot[i] = (uint64_t)s[p] << 32 | live | ids;
        id = ids++;
        memset(ws->rows + (size_t)id * 4, 0, 4 * sizeof(uint64_t));
        break;
      }
      if ((uint32_t)(e >> 32) == s[p]) {
        id = (uint32_t)(e & 0xff);
        break;
      }
    }
    ws->rows[(size_t)id * 4 + p / 64] |= 1ULL << (p % 64);
  }
  return live;
}

/* Token's row, NULL when s lacks it. */
static inline const uint64_t *short_find(const short_state *ws, uint64_t live,
                                         uint32_t token) {
  for (uint32_t i = hash_top(token, SHORT_BITS);; i = (i + 1) & SHORT_MASK) {
    uint64_t e = ws->slots[i];
    if ((e & SHORT_STAMP_MASK) != live) return NULL;
    if ((uint32_t)(e >> 32) == token) return ws->rows + (e & 0xff) * 4;
  }
}

static uint32_t lcs_short(const uint32_t *s, uint32_t m, const uint32_t *t,
                          uint32_t n) {
  short_state *ws = &short_ws;
  const uint64_t live = short_rows(s, m, ws);
  if (m <= 64) {
    uint64_t v = ~0ULL;
    for (uint32_t j = 0; j < n; j++) {
      const uint64_t *row = short_find(ws, live, t[j]);
      if (!row) continue;
      uint64_t u = v & row[0];
      v = (v + u) | (v & ~u);
    }
    return (uint32_t)__builtin_popcountll(~v);
  }
  uint64_t v0 = ~0ULL, v1 = ~0ULL, v2 = ~0ULL, v3 = ~0ULL;
  for (uint32_t j = 0; j < n; j++) {
    const uint64_t *row = short_find(ws, live, t[j]);
    if (!row) continue;
    carry_t carry = 0;
    v0 = add_word(v0, row[0], &carry);
    v1 = add_word(v1, row[1], &carry);
    v2 = add_word(v2, row[2], &carry);
    v3 = add_word(v3, row[3], &carry);
  }
  return (uint32_t)(__builtin_popcountll(~v0) + __builtin_popcountll(~v1) +
                    __builtin_popcountll(~v2) + __builtin_popcountll(~v3));
}

/* ---- longer streams: dense rows of W words in the workspace ----
 *
 * Open addressing with linear probing over a power of two of slots, at least
 * four times the shorter stream's length: a slot is token << 32 | (id + 1),
 * 0 when empty. */
typedef struct table {
  uint64_t *slot;
  uint32_t mask;
  unsigned bits;
  uint32_t ids; /* distinct tokens so far */
} table;

static unsigned table_bits(uint32_t m) {
  unsigned bits = 4;
  while (((uint64_t)1 << bits) < 4 * (uint64_t)m) bits++;
  return bits;
}

static void table_init(table *t, uint64_t *slot, unsigned bits) {
  t->slot = slot;
  t->mask = (uint32_t)(((uint64_t)1 << bits) - 1);
  t->bits = bits;
  t->ids = 0;
  memset(slot, 0, ((size_t)t->mask + 1) * sizeof *slot);
}

/* The id of token, a new one when it is absent. */
static inline uint32_t table_add(table *t, uint32_t token) {
  for (uint32_t i = hash_top(token, t->bits);; i = (i + 1) & t->mask) {
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
  for (uint32_t i = hash_top(token, t->bits);; i = (i + 1) & t->mask) {
    uint64_t e = t->slot[i];
    if (e == 0 || (uint32_t)(e >> 32) == token) return (uint32_t)e;
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
    if (!id) continue;
    const uint64_t *row = rows + (size_t)(id - 1) * words;
    carry_t carry = 0;
    for (uint32_t w = 0; w < words; w++) v[w] = add_word(v[w], row[w], &carry);
  }
  uint32_t zeros = 0;
  for (uint32_t w = 0; w < words; w++)
    zeros += (uint32_t)__builtin_popcountll(~v[w]);
  return zeros;
}

static int lcs_long(const uint32_t *s, uint32_t m, const uint32_t *t,
                    uint32_t n, as_lcs_cpu_ws *ws, uint32_t *lcs) {
  const unsigned bits = table_bits(m);
  const size_t slots = (size_t)1 << bits, id_words = ((size_t)m + 1) / 2;
  const uint32_t words = as__lcs_words(m);
  const size_t limit = as__lcs_cpu_dense_limit(m);
  size_t most_rows = (size_t)m * words;
  if (most_rows > limit) most_rows = limit;
  if (reserve(ws, slots + id_words + words + most_rows) < 0) return AS_ENOMEM;
  table tab;
  table_init(&tab, ws->mem, bits);
  uint32_t *ids = (uint32_t *)(ws->mem + slots);
  for (uint32_t p = 0; p < m; p++) ids[p] = table_add(&tab, s[p]);
  if ((size_t)tab.ids * words > limit) return 1; /* not dense enough */
  uint64_t *v = ws->mem + slots + id_words;
  *lcs = lcs_dense(t, n, &tab, ids, m, v + words, v, words);
  return 0;
}

int as__lcs_cpu(const uint32_t *a, uint32_t la, const uint32_t *b, uint32_t lb,
                as_lcs_cpu_ws *ws, uint32_t *lcs) {
  const uint32_t *s = la <= lb ? a : b, *t = la <= lb ? b : a;
  uint32_t m = la <= lb ? la : lb, n = la <= lb ? lb : la;
  *lcs = 0;
  if (m == 0) return 0;
  if (m <= AS_LCS_SIMD_MAX && simd_on()) {
    *lcs = as__lcs_simd(s, m, t, n);
    return 0;
  }
  if (m <= SHORT_MAX) {
    *lcs = lcs_short(s, m, t, n);
    return 0;
  }
  int rc = lcs_long(s, m, t, n, ws, lcs);
  if (rc <= 0) return rc;
  /* Too many distinct tokens for dense rows: lcs.h's sorted positions. */
  if (reserve(ws, as_lcs_workspace_words(la, lb)) < 0) return AS_ENOMEM;
  *lcs = as_lcs(a, la, b, lb, ws->mem);
  return 0;
}
