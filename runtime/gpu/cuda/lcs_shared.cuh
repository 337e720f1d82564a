/* The align kernel's main path: LCS(s, t) of one pair by one warp, with the
 * shorter stream's match rows in the warp's slice of shared memory. The same
 * bit-parallel recurrence as lcs.h (U = V & Match[x]; V = (V + U) | (V & ~U)),
 * so the same integer; kernels.cuh says when it runs and what takes over when
 * the rows do not fit.
 *
 * Rows: the lanes give s's tokens dense ids with an open-addressing table in
 * shared memory (Fibonacci hashing, linear probing; a slot is token << 32 |
 * (id + 1), 0 when empty). A lane claims an empty slot for its token with
 * atomicCAS and the ids of a round's claims are handed out by one ballot, so
 * ids are dense, and no lane ever waits for another's store (the claim's
 * stand-in id is replaced before any lane reads it, after a __syncwarp).
 * Each position then sets its bit in its token's row with atomicOr.
 *
 * Columns: t is read 32 tokens at a time, each lane finding one token's row
 * (the all-zero row past the last id when s lacks it), and the 32 columns
 * then advance V in order, each row index broadcast by a shuffle:
 *   - m <= 64: V is one word that every lane holds and updates alike, 32 bits
 *     wide when m <= 32 (half the instructions of a 64-bit add);
 *   - longer: lane l holds words [l K, l K + K) of V in registers
 *     (K = ceil(W / 32) <= AS_ALIGN_LANE_WORDS, so m <= 8192), adds them
 *     with the carry inside the lane, and the carry between lanes is
 *     carry-lookahead: a ballot of the lanes whose words carry out
 *     (generate), one of those that would with a carry in (propagate), and
 *     one integer add of the two masks gives every lane its carry in.
 * Row word k of lane l sits at k L + l (L lanes in use), so a row's read is
 * consecutive words, free of bank conflicts.
 *
 * The warp's AS_ALIGN_SHARED_WORDS words: table (2^bits slots) | rows
 * ((ids + 1) x stride words). How many ids fit depends on W only
 * (as_shared_plan_of): every s of up to 64 tokens fits, up to 256 with 255
 * distinct tokens, 2048 with 44, 8192 with 11. */
#ifndef ACCELSTRAT_GPU_CUDA_LCS_SHARED_CUH
#define ACCELSTRAT_GPU_CUDA_LCS_SHARED_CUH

#include <stddef.h>
#include <stdint.h>

#include "lcs.h"
#include "simt.cuh"

/* 12 KiB a warp. */
#define AS_ALIGN_SHARED_WORDS 1536u
/* Words of V a lane holds at most. */
#define AS_ALIGN_LANE_WORDS 4u

struct as_shared_plan {
  uint32_t words;    /* W, of V */
  uint32_t per_lane; /* K: words of V a lane holds */
  uint32_t lanes;    /* L: lanes holding words, ceil(W / K) */
  uint32_t stride;   /* words of a row, K L (the ones past W are zero) */
  uint32_t ids;      /* most distinct tokens the rows take */
  unsigned bits;     /* the table has 2^bits slots */
};

/* The layout for an s of m tokens; 0 when none fits. The table is kept at a
 * load of at most a half, and has room for a round's 32 claims past the most
 * ids, so a probe always ends at an empty slot. */
AS_HD int as_shared_plan_of(uint32_t m, as_shared_plan *p) {
  uint32_t words = as__lcs_words(m);
  if (m == 0 || words > AS_WARP * AS_ALIGN_LANE_WORDS) return 0;
  p->words = words;
  p->per_lane = (words + AS_WARP - 1) / AS_WARP;
  p->lanes = (words + p->per_lane - 1) / p->per_lane;
  p->stride = p->per_lane * p->lanes;
  p->ids = 0;
  p->bits = 0;
  for (unsigned bits = 6; (1u << bits) < AS_ALIGN_SHARED_WORDS; bits++) {
    uint32_t slots = 1u << bits;
    uint32_t rows = (AS_ALIGN_SHARED_WORDS - slots) / p->stride;
    uint32_t ids = rows ? rows - 1 : 0; /* one row stays zero */
    if (ids > slots / 2) ids = slots / 2;
    if (ids > slots - AS_WARP - 1) ids = slots - AS_WARP - 1;
    if (ids > m) ids = m;
    if (ids > p->ids) {
      p->ids = ids;
      p->bits = bits;
    }
  }
  return p->ids > 0;
}

AS_DEV uint32_t as_shared_hash(uint32_t token, unsigned bits) {
  return (uint32_t)(((uint64_t)token * 0x9e3779b97f4a7c15ULL) >> (64 - bits));
}

/* The slot of token, claimed for it (*claimed set) when the table lacks it. */
AS_DEV uint32_t as_shared_claim(uint64_t *slot, const as_shared_plan &p,
                                uint32_t token, int *claimed) {
  const uint32_t mask = (1u << p.bits) - 1;
  for (uint32_t i = as_shared_hash(token, p.bits);; i = (i + 1) & mask) {
    uint64_t e = *(volatile uint64_t *)&slot[i];
    if (e == 0) {
      e = as_atomic_cas64(&slot[i], 0, (uint64_t)token << 32 | 0xffffffffu);
      if (e == 0) {
        *claimed = 1;
        return i;
      }
    }
    if ((uint32_t)(e >> 32) == token) return i;
  }
}

/* The row of token: its id, or `absent` when s lacks it. */
AS_DEV uint32_t as_shared_find(const uint64_t *slot, const as_shared_plan &p,
                               uint32_t token, uint32_t absent) {
  const uint32_t mask = (1u << p.bits) - 1;
  for (uint32_t i = as_shared_hash(token, p.bits);; i = (i + 1) & mask) {
    uint64_t e = slot[i];
    if (e == 0) return absent;
    if ((uint32_t)(e >> 32) == token) return (uint32_t)e - 1;
  }
}

/* Builds the table and rows of s in sh: the number of ids, 0 when s has
 * more distinct tokens than the plan's rows (warp-uniform). */
AS_DEV uint32_t as_shared_rows(const uint32_t *s, uint32_t m,
                               const as_shared_plan &p, uint64_t *sh,
                               unsigned lane) {
  const uint32_t slots = 1u << p.bits;
  uint64_t *rows = sh + slots;
  for (uint32_t i = lane; i < slots + (p.ids + 1) * p.stride; i += AS_WARP)
    sh[i] = 0;
  as_syncwarp();
  uint32_t ids = 0;
  for (uint32_t base = 0; base < m; base += AS_WARP) {
    uint32_t pos = base + lane, at = 0;
    int claimed = 0;
    if (pos < m) at = as_shared_claim(sh, p, s[pos], &claimed);
    unsigned won = as_ballot(claimed);
    uint32_t id = ids + as_popc(won & ((1u << lane) - 1));
    ids += as_popc(won);
    if (ids > p.ids) return 0;
    if (claimed) sh[at] = (uint64_t)s[pos] << 32 | (id + 1);
    as_syncwarp();
    if (pos < m) {
      uint32_t w = pos / 64, row = (uint32_t)sh[at] - 1;
      as_atomic_or64(rows + (size_t)row * p.stride +
                         (w % p.per_lane) * p.lanes + w / p.per_lane,
                     1ULL << (pos % 64));
    }
  }
  as_syncwarp();
  return ids;
}

/* One word of V (W = 1) in every lane, 32 or 64 bits wide: all 32 columns of
 * a round are stepped, those s lacks on the zero row, so the loop has no
 * branch. */
template <typename word>
AS_DEV uint32_t as_shared_chain1(const uint32_t *t, uint32_t n,
                                 const uint64_t *sh, const as_shared_plan &p,
                                 uint32_t ids, unsigned lane) {
  const uint64_t *rows = sh + (1u << p.bits);
  word v = ~(word)0;
  for (uint32_t j0 = 0; j0 < n; j0 += AS_WARP) {
    uint32_t mine =
        j0 + lane < n ? as_shared_find(sh, p, t[j0 + lane], ids) : ids;
    AS_DEVICE_PRAGMA(unroll 8)
    for (unsigned c = 0; c < AS_WARP; c++) {
      word u = v & (word)rows[as_shfl32(mine, c)];
      v = (word)((word)(v + u) | (v & (word)~u));
    }
  }
  /* Bits past m are never in U, so they stay ones and count no zeros. */
  return as_popc64((uint64_t)(word)~v);
}

/* One column for V held K words a lane: row points at the lane's first
 * word of the column's row. */
AS_DEV void as_shared_step(uint64_t *v, const uint64_t *row,
                           const as_shared_plan &p, int in, unsigned lane) {
  uint64_t sum[AS_ALIGN_LANE_WORDS], keep[AS_ALIGN_LANE_WORDS];
  uint32_t carry = 0, ones = 1; /* with no carry in: out; all words ~0 */
  AS_DEVICE_PRAGMA(unroll)
  for (uint32_t k = 0; k < AS_ALIGN_LANE_WORDS; k++) {
    if (!in || k >= p.per_lane) continue;
    uint64_t x = v[k], u = x & row[k * p.lanes], s = x + u;
    uint32_t out = s < x;
    s += carry;
    carry = out | (s < carry);
    keep[k] = x & ~u;
    sum[k] = s;
    ones &= s == ~0ULL;
  }
  uint32_t gen = as_ballot(in && carry), prop = as_ballot(in && ones);
  uint64_t total = (uint64_t)gen + (gen | prop);
  uint32_t c = (((uint32_t)total ^ gen ^ (gen | prop)) >> lane) & 1u;
  AS_DEVICE_PRAGMA(unroll)
  for (uint32_t k = 0; k < AS_ALIGN_LANE_WORDS; k++) {
    if (!in || k >= p.per_lane) continue;
    sum[k] += c;
    c &= sum[k] == 0;
    v[k] = sum[k] | keep[k];
  }
}

/* V across the warp (W > 1): columns s lacks are skipped (the row index is
 * the warp's, so the branch is uniform). */
AS_DEV uint32_t as_shared_chain(const uint32_t *t, uint32_t n,
                                const uint64_t *sh, const as_shared_plan &p,
                                uint32_t ids, unsigned lane) {
  const uint64_t *rows = sh + (1u << p.bits) + lane;
  const int in = lane < p.lanes;
  uint64_t v[AS_ALIGN_LANE_WORDS];
  for (uint32_t k = 0; k < AS_ALIGN_LANE_WORDS; k++) v[k] = ~0ULL;
  for (uint32_t j0 = 0; j0 < n; j0 += AS_WARP) {
    uint32_t mine =
        j0 + lane < n ? as_shared_find(sh, p, t[j0 + lane], ids) : ids;
    uint32_t columns = n - j0 < AS_WARP ? n - j0 : AS_WARP;
    for (uint32_t c = 0; c < columns; c++) {
      uint32_t id = as_shfl32(mine, c);
      if (id != ids)
        as_shared_step(v, rows + (size_t)id * p.stride, p, in, lane);
    }
  }
  uint32_t zeros = 0;
  AS_DEVICE_PRAGMA(unroll)
  for (uint32_t k = 0; k < AS_ALIGN_LANE_WORDS; k++)
    if (in && k < p.per_lane) zeros += as_popc64(~v[k]);
  return as_reduce_add32(zeros);
}

/* LCS(a, b) by one warp on sh[AS_ALIGN_SHARED_WORDS]: 1 with *lcs set, or
 * 0 (warp-uniform) when the shorter stream's rows do not fit. */
AS_DEV int as_shared_lcs(const uint32_t *a, uint32_t la, const uint32_t *b,
                         uint32_t lb, uint64_t *sh, unsigned lane,
                         uint32_t *lcs) {
  const uint32_t *s = la <= lb ? a : b, *t = la <= lb ? b : a;
  uint32_t m = la <= lb ? la : lb, n = la <= lb ? lb : la;
  as_shared_plan p;
  *lcs = 0;
  if (m == 0) return 1;
  if (!as_shared_plan_of(m, &p)) return 0;
  uint32_t ids = as_shared_rows(s, m, p, sh, lane);
  if (ids == 0) return 0;
  if (m <= 32)
    *lcs = as_shared_chain1<uint32_t>(t, n, sh, p, ids, lane);
  else if (p.words == 1)
    *lcs = as_shared_chain1<uint64_t>(t, n, sh, p, ids, lane);
  else
    *lcs = as_shared_chain(t, n, sh, p, ids, lane);
  return 1;
}

#endif
