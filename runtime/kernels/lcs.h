/* Length of the longest common subsequence of two token streams, the exact
 * function of the align kernel on every device.
 *
 * Bit-parallel (Allison-Dix, Hyyro): one bit per token of the shorter stream
 * s (m tokens, W = ceil(m / 64) words), V starts all ones, and each token x
 * of the longer stream does
 *     U = V & Match[x];  V = (V + U) | (V - U)
 * where Match[x] has the bits of the positions of x in s and V - U is V & ~U
 * because U is a subset of V. The LCS is the number of zero bits of V.
 *
 * Tokens are arbitrary 32-bit values, so a Match table over the alphabet is
 * out of the question. Instead the workspace holds s's (token, position)
 * pairs sorted by token: a token's positions are one run, found by binary
 * search. A token absent from s gives U = 0 and leaves V unchanged, so its
 * column is skipped. A token with fewer than W occurrences has its mask built
 * in a scratch vector and cleared again (cheaper than the W-word update it
 * feeds); a heavy token, with W or more, has its mask built once up front.
 * At most m / W tokens are heavy, so their masks take at most m words.
 *
 * Workspace (uint64_t words, H = m / W), see as_lcs_workspace_words:
 *     pairs[m] | V[W] | scratch[W] | heavy_tokens[H] | heavy_masks[H][W]
 * at most 2m + 2W + 64 words: 0.8 MiB for 50,000 tokens. */
#ifndef ACCELSTRAT_KERNELS_LCS_H
#define ACCELSTRAT_KERNELS_LCS_H

#include <stddef.h>
#include <stdint.h>

#include "as_hd.h"

AS_HD uint32_t as__lcs_words(uint32_t m) { return m / 64 + (m % 64 != 0); }

/* Most tokens that can occur at least W times among m. */
AS_HD uint32_t as__lcs_heavy_max(uint32_t m) {
  return m == 0 ? 0 : m / as__lcs_words(m);
}

/* Words of workspace as_lcs needs for streams of these lengths (0 when either
 * is empty: as_lcs then never touches the workspace). */
AS_HD size_t as_lcs_workspace_words(uint32_t len_a, uint32_t len_b) {
  uint32_t m = len_a < len_b ? len_a : len_b;
  size_t words = as__lcs_words(m);
  return (size_t)m + 2 * words + (size_t)as__lcs_heavy_max(m) * (words + 1);
}

AS_HD uint32_t as__lcs_pair_token(uint64_t pair) {
  return (uint32_t)(pair >> 32);
}

AS_HD uint32_t as__lcs_pair_position(uint64_t pair) { return (uint32_t)pair; }

AS_HD void as__lcs_sift_down(uint64_t *x, size_t root, size_t n) {
  for (;;) {
    size_t child = 2 * root + 1;
    if (child >= n) return;
    if (child + 1 < n && x[child + 1] > x[child]) child++;
    if (x[root] >= x[child]) return;
    uint64_t t = x[root];
    x[root] = x[child];
    x[child] = t;
    root = child;
  }
}

/* Heap sort: in place, O(n log n) in the worst case, no recursion, so it runs
 * unchanged in a GPU thread. */
AS_HD void as__lcs_sort(uint64_t *x, size_t n) {
  for (size_t i = n / 2; i-- > 0;) as__lcs_sift_down(x, i, n);
  for (size_t end = n; end-- > 1;) {
    uint64_t t = x[0];
    x[0] = x[end];
    x[end] = t;
    as__lcs_sift_down(x, 0, end);
  }
}

/* First index of pairs[0, n) (sorted) whose token is greater than token. */
AS_HD uint32_t as__lcs_after_token(const uint64_t *pairs, uint32_t n,
                                   uint32_t token) {
  uint32_t lo = 0, hi = n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (as__lcs_pair_token(pairs[mid]) <= token)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* One column: U = V & match, V = (V + U) | (V & ~U), from word first on.
 * match is zero outside words [first, last], so above last, once the carry is
 * spent, V stays as it is. */
AS_HD void as__lcs_step(uint64_t *v, const uint64_t *match, uint32_t first,
                        uint32_t last, uint32_t words) {
  uint64_t carry = 0;
  for (uint32_t w = first; w < words && (w <= last || carry); w++) {
    uint64_t vw = v[w], uw = vw & match[w];
    uint64_t sum = vw + uw;
    uint64_t overflow = sum < vw;
    sum += carry;
    carry = overflow | (sum < carry);
    v[w] = sum | (vw & ~uw);
  }
}

/* A token occurring this often gets its own mask up front (see the top). */
AS_HD int as__lcs_is_heavy(uint32_t occurrences, uint32_t words) {
  return occurrences >= words;
}

/* Sets in mask the bits of the positions in pairs[begin, end). */
AS_HD void as__lcs_set_bits(uint64_t *mask, const uint64_t *pairs,
                            uint32_t begin, uint32_t end) {
  for (uint32_t k = begin; k < end; k++) {
    uint32_t p = as__lcs_pair_position(pairs[k]);
    mask[p / 64] |= 1ULL << (p % 64);
  }
}

AS_HD uint32_t as__lcs_popcount(uint64_t x) {
  x -= (x >> 1) & 0x5555555555555555ULL;
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
  return (uint32_t)((x * 0x0101010101010101ULL) >> 56);
}

/* LCS(a, b) using work[as_lcs_workspace_words(la, lb)]; symmetric in a, b. */
AS_HD uint32_t as_lcs(const uint32_t *a, uint32_t la, const uint32_t *b,
                      uint32_t lb, uint64_t *work) {
  const uint32_t *s = la <= lb ? a : b, *t = la <= lb ? b : a;
  uint32_t m = la <= lb ? la : lb, n = la <= lb ? lb : la;
  if (m == 0) return 0;
  uint32_t words = as__lcs_words(m);
  uint64_t *pairs = work;
  uint64_t *v = pairs + m;
  uint64_t *scratch = v + words;
  uint64_t *heavy_tokens = scratch + words;
  uint64_t *heavy_masks = heavy_tokens + as__lcs_heavy_max(m);

  for (uint32_t p = 0; p < m; p++) pairs[p] = (uint64_t)s[p] << 32 | p;
  as__lcs_sort(pairs, m);
  for (uint32_t w = 0; w < words; w++) {
    v[w] = ~0ULL;
    scratch[w] = 0;
  }

  /* heavy_tokens holds the heavy tokens in ascending order, in the same
   * (token << 32) form as pairs so one search serves both. */
  uint32_t heavy = 0;
  for (uint32_t begin = 0, end; begin < m; begin = end) {
    uint32_t token = as__lcs_pair_token(pairs[begin]);
    end = as__lcs_after_token(pairs, m, token);
    if (!as__lcs_is_heavy(end - begin, words)) continue;
    uint64_t *mask = heavy_masks + (size_t)heavy * words;
    for (uint32_t w = 0; w < words; w++) mask[w] = 0;
    as__lcs_set_bits(mask, pairs, begin, end);
    heavy_tokens[heavy++] = (uint64_t)token << 32;
  }

  for (uint32_t j = 0; j < n; j++) {
    uint32_t token = t[j];
    uint32_t end = as__lcs_after_token(pairs, m, token);
    if (end == 0 || as__lcs_pair_token(pairs[end - 1]) != token) continue;
    uint32_t begin =
        token == 0 ? 0 : as__lcs_after_token(pairs, end, token - 1);
    uint32_t first = as__lcs_pair_position(pairs[begin]) / 64;
    uint32_t last = as__lcs_pair_position(pairs[end - 1]) / 64;
    if (as__lcs_is_heavy(end - begin, words)) {
      uint32_t slot = as__lcs_after_token(heavy_tokens, heavy, token) - 1;
      as__lcs_step(v, heavy_masks + (size_t)slot * words, first, last, words);
      continue;
    }
    as__lcs_set_bits(scratch, pairs, begin, end);
    as__lcs_step(v, scratch, first, last, words);
    for (uint32_t k = begin; k < end; k++)
      scratch[as__lcs_pair_position(pairs[k]) / 64] = 0;
  }

  /* A bit of V turns to zero only where U had it, and U has no bits above m,
   * so the last word's spare bits are still ones and count no zeros. */
  uint32_t zeros = 0;
  for (uint32_t w = 0; w < words; w++) zeros += as__lcs_popcount(~v[w]);
  return zeros;
}

/* Reported similarity in percent: floor(200 * lcs / total), 100 for two empty
 * streams. */
AS_HD uint32_t as_align_similarity_pct(uint32_t lcs, uint32_t total) {
  return total == 0 ? 100 : (uint32_t)(200 * (uint64_t)lcs / total);
}

#endif
