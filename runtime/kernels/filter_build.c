/* The filter kernel's shared block: token histograms and the prefix index
 * (runtime/kernels/filter.h says why the index loses no pair). */
#include <stdlib.h>
#include <string.h>

#include <accelstrat/error.h>
#include <accelstrat/kernels.h>

#include "filter.h"

/* Element (token, k): the k-th copy of token in a stream, with the number of
 * streams that hold at least k copies; ordered rarest first. */
typedef struct element {
  uint32_t df, token, k, func;
} element;

static int element_cmp(const void *pa, const void *pb) {
  const element *a = pa, *b = pb;
  if (a->df != b->df) return a->df < b->df ? -1 : 1;
  if (a->token != b->token) return a->token < b->token ? -1 : 1;
  if (a->k != b->k) return a->k < b->k ? -1 : 1;
  return a->func < b->func ? -1 : a->func > b->func;
}

static int same_element(const element *a, const element *b) {
  return a->df == b->df && a->token == b->token && a->k == b->k;
}

static int u32_cmp(const void *pa, const void *pb) {
  uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
  return a < b ? -1 : a > b;
}

/* (token, count) of every histogram entry, sorted: for each token the
 * ascending counts of the streams that hold it. */
typedef struct token_count {
  uint32_t token, count;
} token_count;

static int token_count_cmp(const void *pa, const void *pb) {
  const token_count *a = pa, *b = pb;
  if (a->token != b->token) return a->token < b->token ? -1 : 1;
  return a->count < b->count ? -1 : a->count > b->count;
}

/* The first entry of the sorted table at or after (token, count). */
static size_t token_count_lower(const token_count *tc, size_t n, uint32_t token,
                                uint64_t count) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (tc[mid].token < token || (tc[mid].token == token && tc[mid].count < count))
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* Streams holding at least k copies of token, from the sorted table. */
static uint32_t copies_df(const token_count *tc, size_t n, uint32_t token,
                          uint32_t k) {
  return (uint32_t)(token_count_lower(tc, n, token, UINT64_C(1) << 32) -
                    token_count_lower(tc, n, token, k));
}

typedef struct builder {
  size_t n;
  double s;
  uint32_t *len, *hist_start, *hist_token, *hist_count;
  size_t n_hist;
  element *pre; /* every function's prefix elements */
  size_t n_pre;
} builder;

static void builder_free(builder *b) {
  free(b->len), free(b->hist_start), free(b->hist_token), free(b->hist_count);
  free(b->pre);
}

/* Histograms: each stream's tokens sorted and counted. */
static int build_histograms(builder *b, const uint32_t *const *tokens) {
  size_t total = 0, longest = 0;
  for (size_t f = 0; f < b->n; f++) {
    total += b->len[f];
    if (b->len[f] > longest) longest = b->len[f];
  }
  uint32_t *sorted = malloc((longest ? longest : 1) * sizeof *sorted);
  b->hist_start = malloc((b->n + 1) * sizeof *b->hist_start);
  b->hist_token = malloc((total ? total : 1) * sizeof *b->hist_token);
  b->hist_count = malloc((total ? total : 1) * sizeof *b->hist_count);
  if (!sorted || !b->hist_start || !b->hist_token || !b->hist_count) {
    free(sorted);
    return AS_ENOMEM;
  }
  size_t h = 0;
  for (size_t f = 0; f < b->n; f++) {
    b->hist_start[f] = (uint32_t)h;
    memcpy(sorted, tokens[f], b->len[f] * sizeof *sorted);
    qsort(sorted, b->len[f], sizeof *sorted, u32_cmp);
    for (uint32_t t = 0; t < b->len[f]; t++) {
      if (t == 0 || sorted[t] != sorted[t - 1]) {
        b->hist_token[h] = sorted[t];
        b->hist_count[h++] = 0;
      }
      b->hist_count[h - 1]++;
    }
  }
  b->hist_start[b->n] = (uint32_t)h;
  b->n_hist = h;
  free(sorted);
  return 0;
}

/* Each function's prefix: its as_filter_prefix_len rarest elements. */
static int build_prefixes(builder *b) {
  token_count *tc = malloc((b->n_hist ? b->n_hist : 1) * sizeof *tc);
  size_t longest = 0, pre = 0;
  for (size_t f = 0; f < b->n; f++) {
    if (b->len[f] > longest) longest = b->len[f];
    pre += as_filter_prefix_len(b->len[f], b->s);
  }
  element *mine = malloc((longest ? longest : 1) * sizeof *mine);
  b->pre = malloc((pre ? pre : 1) * sizeof *b->pre);
  if (!tc || !mine || !b->pre) {
    free(tc), free(mine);
    return AS_ENOMEM;
  }
  for (size_t h = 0; h < b->n_hist; h++)
    tc[h] = (token_count){b->hist_token[h], b->hist_count[h]};
  qsort(tc, b->n_hist, sizeof *tc, token_count_cmp);
  for (size_t f = 0; f < b->n; f++) {
    size_t m = 0;
    for (uint32_t h = b->hist_start[f]; h < b->hist_start[f + 1]; h++)
      for (uint32_t k = 1; k <= b->hist_count[h]; k++)
        mine[m++] = (element){copies_df(tc, b->n_hist, b->hist_token[h], k),
                              b->hist_token[h], k, (uint32_t)f};
    qsort(mine, m, sizeof *mine, element_cmp);
    uint32_t p = as_filter_prefix_len(b->len[f], b->s);
    memcpy(b->pre + b->n_pre, mine, p * sizeof *mine);
    b->n_pre += p;
  }
  free(tc);
  free(mine);
  return 0;
}

/* Lays out the block: prefix elements numbered in the global order, each
 * with the ascending list of functions whose prefix holds it. */
static int build_block(builder *b, as_filter_shared **out, size_t *size) {
  qsort(b->pre, b->n_pre, sizeof *b->pre, element_cmp);
  size_t n_elements = 0;
  for (size_t p = 0; p < b->n_pre; p++)
    n_elements += p == 0 || !same_element(&b->pre[p], &b->pre[p - 1]);
  as_filter_shared hdr = {(uint32_t)b->n, (uint32_t)n_elements,
                          (uint32_t)b->n_hist, (uint32_t)b->n_pre,
                          (uint32_t)b->n_pre, 0, b->s};
  size_t bytes = sizeof hdr + as_filter_words(&hdr) * sizeof(uint32_t);
  as_filter_shared *blk = malloc(bytes);
  if (!blk) return AS_ENOMEM;
  *blk = hdr;
  as_filter_view v;
  as_filter_view_init(blk, &v);
  uint32_t *len = (uint32_t *)v.len, *hs = (uint32_t *)v.hist_start;
  uint32_t *ps = (uint32_t *)v.prefix_start, *qs = (uint32_t *)v.post_start;
  uint32_t *prefix = (uint32_t *)v.prefix, *post = (uint32_t *)v.post;
  memcpy(len, b->len, b->n * sizeof *len);
  memcpy(hs, b->hist_start, (b->n + 1) * sizeof *hs);
  memcpy((uint32_t *)v.hist_token, b->hist_token, b->n_hist * sizeof *len);
  memcpy((uint32_t *)v.hist_count, b->hist_count, b->n_hist * sizeof *len);
  /* prefix_start from each function's prefix length, then each function's
   * element ids in ascending order as the sorted entries are visited. */
  ps[0] = 0;
  for (size_t f = 0; f < b->n; f++)
    ps[f + 1] = ps[f] + as_filter_prefix_len(b->len[f], b->s);
  uint32_t *fill = malloc((b->n ? b->n : 1) * sizeof *fill);
  if (!fill) {
    free(blk);
    return AS_ENOMEM;
  }
  memcpy(fill, ps, b->n * sizeof *fill);
  uint32_t e = 0;
  for (size_t p = 0; p < b->n_pre; p++) {
    const element *x = &b->pre[p];
    if (p > 0 && !same_element(x, x - 1)) e++;
    if (p == 0 || !same_element(x, x - 1)) qs[e] = (uint32_t)p;
    post[p] = x->func;
    prefix[fill[x->func]++] = e;
  }
  qs[n_elements] = (uint32_t)b->n_pre;
  free(fill);
  *out = blk;
  *size = bytes;
  return 0;
}

int as_filter_build(const uint32_t *const *tokens, const uint32_t *len,
                    size_t n, double min_similarity, as_filter_shared **shared,
                    size_t *size) {
  *shared = NULL;
  *size = 0;
  if (!(min_similarity > 0 && min_similarity <= 1) || n >= UINT32_MAX)
    return AS_EINVAL;
  uint64_t total = 0;
  for (size_t f = 0; f < n; f++) {
    if (len[f] == 0) return AS_EINVAL;
    total += len[f];
  }
  if (total >= UINT32_MAX) return AS_EINVAL;
  builder b = {.n = n, .s = min_similarity};
  b.len = malloc((n ? n : 1) * sizeof *b.len);
  if (!b.len) return AS_ENOMEM;
  memcpy(b.len, len, n * sizeof *len);
  int rc = build_histograms(&b, tokens);
  if (rc == 0) rc = build_prefixes(&b);
  if (rc == 0) rc = build_block(&b, shared, size);
  builder_free(&b);
  return rc;
}

int as_filter_tasks(const as_filter_shared *shared, as_filter_task **tasks,
                    size_t *n_tasks) {
  size_t count = 0;
  for (uint32_t i = 0; i < shared->n; i++)
    count += (i + AS_FILTER_BLOCK - 1) / AS_FILTER_BLOCK;
  as_filter_task *t = malloc((count ? count : 1) * sizeof *t);
  if (!t) return AS_ENOMEM;
  size_t at = 0;
  for (uint32_t i = 0; i < shared->n; i++)
    for (uint32_t blk = 0; (uint64_t)blk * AS_FILTER_BLOCK < i; blk++)
      t[at++] = (as_filter_task){i, blk};
  *tasks = t;
  *n_tasks = count;
  return 0;
}
