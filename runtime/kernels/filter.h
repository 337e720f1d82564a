/* The filter kernel's per-task math (include/accelstrat/kernels.h), shared by
 * every device, and the proof that its prefix index loses no pair.
 *
 * Bounds. For token streams a, b of lengths m, n with token counts c_a, c_b,
 * a common subsequence uses each token t at most min(c_a(t), c_b(t)) times
 * and has at most min(m, n) tokens, so
 *   LCS(a, b) <= O(a, b) = sum_t min(c_a(t), c_b(t)) <= min(m, n).
 * as_similarity_reaches(x, m + n, s) is monotone in x (one IEEE product on the
 * right, an exact left side), so a pair whose LCS reaches s has an overlap O
 * that reaches s, and lengths that do: dropping a pair whose O or min(m, n)
 * does not reach s never drops a pair whose LCS does.
 *
 * Prefixes. Expand a histogram into the set of elements (t, k), 1 <= k <=
 * c(t); then |A ∩ B| = O(a, b). Order all elements by one global order
 * (rarest first). Let need(T) be the least integer overlap that reaches s at
 * total T; it does not decrease with T. Functions come in non-decreasing
 * length, and query i only meets partners j < i, so n = len_j <= m = len_i.
 * A pair that passes has n >= n0(m), the least length that passes the length
 * bound with m, and m + n >= 2n, so its overlap O is at least
 * lo(m) = need(m + n0(m)) and at least need(2n). Let x be the first element
 * of A ∩ B in the order: A holds at most |A| - O <= m - lo(m) elements before
 * x, so x lies among A's first m - lo(m) + 1 elements (its probing prefix),
 * and likewise among B's first n - need(2n) + 1 (its indexing prefix). So
 * every pair that passes meets in the posting list of an element of the
 * query's probing prefix, among the partners no shorter than n0(m).
 *
 * Positions. Let a pair first meet at element x, at place p in A's order
 * and q in B's (0-based). An element w of A ∩ B before x in the order would
 * be at a place below p in A (so in A's probing prefix, and indexed, as it
 * is in B's indexing prefix, at a place below q), so the pair would have
 * met at w first. Hence A ∩ B holds x and otherwise only elements after it
 * in both: O <= 1 + min(m - p - 1, n - q - 1) = min(m - p, n - q), and a
 * pair whose first meeting gives a bound that does not reach s is dropped
 * unverified (PPJoin's positional filter). It fails the overlap bound
 * anyway, so the output is what verifying it would give.
 *
 * The verification then applies the bounds themselves, so the output does
 * not depend on the order, the prefixes or the positions at all: wrong ones
 * could only lose pairs, never keep one. (PPJoin's prefix, positional and
 * length filters, for the Dice form 2 * O / (m + n).) */
#ifndef ACCELSTRAT_KERNELS_FILTER_H
#define ACCELSTRAT_KERNELS_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include <accelstrat/kernels.h>

#include "as_hd.h"
#include "validate.h"

/* The shared block's arrays, located from its header. */
typedef struct as_filter_view {
  const as_filter_shared *hdr;
  const uint32_t *len, *hist_start, *prefix_start, *post_start;
  const uint32_t *hist_token, *hist_count, *prefix, *post;
  const uint32_t *prefix_place, *post_place;
} as_filter_view;

/* 32-bit words of the arrays after the header. */
AS_HD uint64_t as_filter_words(const as_filter_shared *h) {
  return (uint64_t)h->n + 2 * ((uint64_t)h->n + 1) + (uint64_t)h->n_elements +
         1 + 2 * (uint64_t)h->n_hist + 2 * ((uint64_t)h->n_prefix + h->n_post);
}

AS_HD void as_filter_view_init(const as_filter_shared *h, as_filter_view *v) {
  const uint32_t *w = (const uint32_t *)(h + 1);
  v->hdr = h;
  v->len = w;
  v->hist_start = v->len + h->n;
  v->prefix_start = v->hist_start + h->n + 1;
  v->post_start = v->prefix_start + h->n + 1;
  v->hist_token = v->post_start + h->n_elements + 1;
  v->hist_count = v->hist_token + h->n_hist;
  v->prefix = v->hist_count + h->n_hist;
  v->post = v->prefix + h->n_prefix;
  v->prefix_place = v->post + h->n_post;
  v->post_place = v->prefix_place + h->n_prefix;
}

/* need(m, n): the least overlap that reaches s at total m + n (>= 1 for
 * s > 0). The estimate is corrected by the comparison itself, so it is
 * exactly as_similarity_reaches' boundary. */
AS_HD uint32_t as_filter_need(uint64_t total, double s) {
  double est = s * (double)total / 2.0;
  uint64_t c = est > 0 ? (uint64_t)est : 0;
  while (c > 0 && as_similarity_reaches(c - 1, total, s)) c--;
  while (!as_similarity_reaches(c, total, s)) c++;
  return (uint32_t)c;
}

/* n0(m): the least n <= m that passes the length bound with m. */
AS_HD uint32_t as_filter_shortest_partner(uint32_t m, double s) {
  uint64_t n0 = (uint64_t)(s * m / (2.0 - s));
  while (n0 > 1 && as_similarity_reaches(n0 - 1, m + n0 - 1, s)) n0--;
  while (n0 < m && !as_similarity_reaches(n0, m + n0, s)) n0++;
  return n0 < 1 ? 1 : (uint32_t)n0;
}

/* The probing prefix of a stream of m >= 1 tokens: m - lo(m) + 1. */
AS_HD uint32_t as_filter_probe_len(uint32_t m, double s) {
  uint32_t lo =
      as_filter_need((uint64_t)m + as_filter_shortest_partner(m, s), s);
  return lo > m ? 1 : m - lo + 1;
}

/* The indexing prefix of a stream of n >= 1 tokens: n - need(2n) + 1. */
AS_HD uint32_t as_filter_index_len(uint32_t n, double s) {
  uint32_t lo = as_filter_need(2 * (uint64_t)n, s);
  return lo > n ? 1 : n - lo + 1;
}

/* The first function long enough to pass the length bound with query i. */
AS_HD uint32_t as_filter_first_partner(const as_filter_view *v, uint32_t i) {
  uint32_t n0 = as_filter_shortest_partner(v->len[i], v->hdr->min_similarity);
  uint32_t lo = 0, hi = i;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (v->len[mid] < n0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* Whether (i, j) passes the length and overlap bounds: a merge of the two
 * histograms that stops as soon as the rest cannot reach need. */
AS_HD int as_filter_passes(const as_filter_view *v, uint32_t i, uint32_t j) {
  uint32_t m = v->len[i], n = v->len[j];
  double s = v->hdr->min_similarity;
  uint64_t total = (uint64_t)m + n;
  if (!as_similarity_reaches(m < n ? m : n, total, s)) return 0;
  uint32_t need = as_filter_need(total, s);
  uint32_t a = v->hist_start[i], a_end = v->hist_start[i + 1];
  uint32_t b = v->hist_start[j], b_end = v->hist_start[j + 1];
  uint32_t rest_a = m, rest_b = n, common = 0;
  while (a < a_end && b < b_end) {
    uint32_t ta = v->hist_token[a], tb = v->hist_token[b];
    uint32_t ca = v->hist_count[a], cb = v->hist_count[b];
    if (ta == tb) {
      common += ca < cb ? ca : cb;
      if (common >= need) return 1;
    }
    if (ta <= tb) rest_a -= ca, a++;
    if (tb <= ta) rest_b -= cb, b++;
    if (common + (rest_a < rest_b ? rest_a : rest_b) < need) return 0;
  }
  return common >= need;
}

/* The first entry of a ascending list [lo, hi) of post that is >= key. */
AS_HD uint32_t as__filter_lower_bound(const uint32_t *post, uint32_t lo,
                                      uint32_t hi, uint32_t key) {
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (post[mid] < key)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* One task: out's bits for the partners j of query i in block b. Each
 * partner met through several prefix elements is verified once. */
AS_HD void as_filter_task_run(const as_filter_view *v, as_filter_task t,
                              as_filter_out *out) {
  uint64_t seen[AS_FILTER_WORDS];
  for (uint32_t w = 0; w < AS_FILTER_WORDS; w++) out->bits[w] = seen[w] = 0;
  uint32_t block = t.block * AS_FILTER_BLOCK;
  uint32_t lo = as_filter_first_partner(v, t.query);
  uint32_t first = block > lo ? block : lo;
  uint32_t end =
      block + AS_FILTER_BLOCK < t.query ? block + AS_FILTER_BLOCK : t.query;
  uint32_t m = v->len[t.query];
  for (uint32_t p = v->prefix_start[t.query];
       first < end && p < v->prefix_start[t.query + 1]; p++) {
    uint32_t e = v->prefix[p], rest_a = m - v->prefix_place[p];
    uint32_t q = as__filter_lower_bound(v->post, v->post_start[e],
                                        v->post_start[e + 1], first);
    for (; q < v->post_start[e + 1] && v->post[q] < end; q++) {
      uint32_t j = v->post[q], k = j - block;
      uint64_t bit = 1ull << (k % 64);
      if (seen[k / 64] & bit) continue;
      seen[k / 64] |= bit; /* first meeting: the positional bound holds */
      uint32_t rest_b = v->len[j] - v->post_place[q];
      if (!as_similarity_reaches(rest_a < rest_b ? rest_a : rest_b,
                                 (uint64_t)m + v->len[j],
                                 v->hdr->min_similarity))
        continue;
      if (as_filter_passes(v, t.query, j)) out->bits[k / 64] |= bit;
    }
  }
}

/* The posting entries task t can scan: its cost. */
AS_HD uint64_t as_filter_task_work(const as_filter_view *v, as_filter_task t) {
  uint64_t work = 1;
  for (uint32_t p = v->prefix_start[t.query]; p < v->prefix_start[t.query + 1];
       p++) {
    uint32_t e = v->prefix[p];
    work += v->post_start[e + 1] - v->post_start[e];
  }
  return work;
}

/* ---- host-side input checks (validate.h) ---- */

/* The filter block's arrays, or -1 when the block is missing, misaligned,
 * shorter than its header says, has a threshold outside (0, 1], lengths that
 * decrease, or any list that is out of range, not ascending where it must
 * be, a place beyond its function's length, or a histogram whose counts
 * do not add up to its length. What it cannot check is that the
 * prefixes are those as_filter_build makes; with others pairs may be missed,
 * never wrongly kept. */
static inline int as__filter_ascending(const uint32_t *x, uint32_t n,
                                       uint32_t last) {
  if (x[0] != 0 || x[n] != last) return 0;
  for (uint32_t i = 0; i < n; i++)
    if (x[i + 1] < x[i]) return 0;
  return 1;
}

static inline int as__filter_lists(const as_filter_view *v) {
  const as_filter_shared *h = v->hdr;
  if (!as__filter_ascending(v->hist_start, h->n, h->n_hist) ||
      !as__filter_ascending(v->prefix_start, h->n, h->n_prefix) ||
      !as__filter_ascending(v->post_start, h->n_elements, h->n_post))
    return 0;
  for (uint32_t f = 0; f < h->n; f++) {
    uint64_t sum = 0;
    for (uint32_t a = v->hist_start[f]; a < v->hist_start[f + 1]; a++) {
      if (v->hist_count[a] == 0 ||
          (a > v->hist_start[f] && v->hist_token[a] <= v->hist_token[a - 1]))
        return 0;
      sum += v->hist_count[a];
    }
    if (v->len[f] == 0 || sum != v->len[f] ||
        (f > 0 && v->len[f] < v->len[f - 1]))
      return 0;
  }
  for (uint32_t f = 0; f < h->n; f++)
    for (uint32_t p = v->prefix_start[f]; p < v->prefix_start[f + 1]; p++)
      if (v->prefix[p] >= h->n_elements || v->prefix_place[p] >= v->len[f])
        return 0;
  for (uint32_t e = 0; e < h->n_elements; e++)
    for (uint32_t q = v->post_start[e]; q < v->post_start[e + 1]; q++)
      if (v->post[q] >= h->n ||
          (q > v->post_start[e] && v->post[q] <= v->post[q - 1]) ||
          v->post_place[q] >= v->len[v->post[q]])
        return 0;
  return 1;
}

static inline int as__filter_view(const as_batch *b, as_filter_view *v) {
  const as_filter_shared *h = (const as_filter_shared *)b->shared;
  if (!h || (uintptr_t)h % sizeof(double) != 0 || b->shared_size < sizeof *h ||
      h->reserved != 0 || !(h->min_similarity > 0 && h->min_similarity <= 1) ||
      (b->shared_size - sizeof *h) / sizeof(uint32_t) < as_filter_words(h))
    return -1;
  as_filter_view_init(h, v);
  return as__filter_lists(v) ? 0 : -1;
}

/* Task i of a filter batch, or NULL when misaligned, of the wrong size or
 * naming a query outside the block. */
static inline const as_filter_task *
as__filter_task(const as_batch *b, const as_filter_view *v, size_t i) {
  size_t size;
  const as_filter_task *t = (const as_filter_task *)as_task_input(b, i, &size);
  if (size != sizeof *t || !as__token_aligned(t) || t->query >= v->hdr->n ||
      t->block > UINT32_MAX / AS_FILTER_BLOCK - 1)
    return NULL;
  return t;
}

static inline int as__check_filter(const as_batch *b, size_t begin, size_t end,
                                   as_filter_view *v) {
  if (!as__offsets_ascend(b, begin, end) || as__filter_view(b, v) < 0)
    return AS_EINVAL;
  for (size_t i = begin; i < end; i++)
    if (!as__filter_task(b, v, i)) return AS_EINVAL;
  return 0;
}

#endif
