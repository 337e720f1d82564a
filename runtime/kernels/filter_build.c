/* The filter kernel's shared block: token histograms and the prefix index
 * (runtime/kernels/filter.h says why the index loses no pair). Lengths
 * must not decrease, so that every query's partners are no longer than it
 * and form one range. */
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
  element *index; /* every function's indexing prefix */
  size_t n_index;
  element *probe; /* every function's probing prefix, function by function */
  uint32_t *probe_start;
} builder;

static void builder_free(builder *b) {
  free(b->len), free(b->hist_start), free(b->hist_token), free(b->hist_count);
  free(b->index), free(b->probe), free(b->probe_start);
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

/* Each function's elements, rarest first; its indexing prefix and probing
 * prefix are the first as_filter_index_len and as_filter_probe_len. */
static int build_prefixes(builder *b) {
  token_count *tc = malloc((b->n_hist ? b->n_hist : 1) * sizeof *tc);
  size_t longest = 0, n_index = 0, n_probe = 0;
  for (size_t f = 0; f < b->n; f++) {
    if (b->len[f] > longest) longest = b->len[f];
    n_index += as_filter_index_len(b->len[f], b->s);
    n_probe += as_filter_probe_len(b->len[f], b->s);
  }
  element *mine = malloc((longest ? longest : 1) * sizeof *mine);
  b->index = malloc((n_index ? n_index : 1) * sizeof *b->index);
  b->probe = malloc((n_probe ? n_probe : 1) * sizeof *b->probe);
  b->probe_start = malloc((b->n + 1) * sizeof *b->probe_start);
  if (!tc || !mine || !b->index || !b->probe || !b->probe_start) {
    free(tc), free(mine);
    return AS_ENOMEM;
  }
  for (size_t h = 0; h < b->n_hist; h++)
    tc[h] = (token_count){b->hist_token[h], b->hist_count[h]};
  qsort(tc, b->n_hist, sizeof *tc, token_count_cmp);
  uint32_t at = 0;
  for (size_t f = 0; f < b->n; f++) {
    size_t m = 0;
    for (uint32_t h = b->hist_start[f]; h < b->hist_start[f + 1]; h++)
      for (uint32_t k = 1; k <= b->hist_count[h]; k++)
        mine[m++] = (element){copies_df(tc, b->n_hist, b->hist_token[h], k),
                              b->hist_token[h], k, (uint32_t)f};
    qsort(mine, m, sizeof *mine, element_cmp);
    uint32_t ni = as_filter_index_len(b->len[f], b->s);
    uint32_t np = as_filter_probe_len(b->len[f], b->s);
    memcpy(b->index + b->n_index, mine, ni * sizeof *mine);
    b->n_index += ni;
    b->probe_start[f] = at;
    memcpy(b->probe + at, mine, np * sizeof *mine);
    at += np;
  }
  b->probe_start[b->n] = at;
  free(tc);
  free(mine);
  return 0;
}

/* The id of element x among the n_elements distinct indexed ones (the
 * first entry of each run of the sorted index), or UINT32_MAX. */
static uint32_t element_id(const element *index, const uint32_t *run,
                           uint32_t n_elements, const element *x) {
  uint32_t lo = 0, hi = n_elements;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    element key = *x;
    key.func = index[run[mid]].func;
    int c = element_cmp(&index[run[mid]], &key);
    if (c == 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return UINT32_MAX;
}

/* Lays out the block: indexed elements numbered in the global order, each
 * with the ascending list of functions whose indexing prefix holds it; each
 * function's probing prefix as the ids of its elements that are indexed
 * (probing any other finds nothing). */
static int build_block(builder *b, as_filter_shared **out, size_t *size) {
  qsort(b->index, b->n_index, sizeof *b->index, element_cmp);
  uint32_t *run = malloc((b->n_index ? b->n_index : 1) * sizeof *run);
  uint32_t *probe_id = malloc((b->probe_start[b->n] ? b->probe_start[b->n] : 1) *
                              sizeof *probe_id);
  if (!run || !probe_id) {
    free(run), free(probe_id);
    return AS_ENOMEM;
  }
  uint32_t n_elements = 0, n_probe = 0;
  for (size_t p = 0; p < b->n_index; p++)
    if (p == 0 || !same_element(&b->index[p], &b->index[p - 1]))
      run[n_elements++] = (uint32_t)p;
  for (uint32_t p = 0; p < b->probe_start[b->n]; p++)
    n_probe += (probe_id[p] = element_id(b->index, run, n_elements,
                                         &b->probe[p])) != UINT32_MAX;
  as_filter_shared hdr = {(uint32_t)b->n, n_elements, (uint32_t)b->n_hist,
                          n_probe, (uint32_t)b->n_index, 0, b->s};
  size_t bytes = sizeof hdr + as_filter_words(&hdr) * sizeof(uint32_t);
  as_filter_shared *blk = malloc(bytes);
  if (!blk) {
    free(run), free(probe_id);
    return AS_ENOMEM;
  }
  *blk = hdr;
  as_filter_view v;
  as_filter_view_init(blk, &v);
  memcpy((uint32_t *)v.len, b->len, b->n * sizeof(uint32_t));
  memcpy((uint32_t *)v.hist_start, b->hist_start, (b->n + 1) * sizeof(uint32_t));
  memcpy((uint32_t *)v.hist_token, b->hist_token, b->n_hist * sizeof(uint32_t));
  memcpy((uint32_t *)v.hist_count, b->hist_count, b->n_hist * sizeof(uint32_t));
  uint32_t *ps = (uint32_t *)v.prefix_start, *prefix = (uint32_t *)v.prefix;
  uint32_t at = 0;
  for (size_t f = 0; f < b->n; f++) {
    ps[f] = at;
    for (uint32_t p = b->probe_start[f]; p < b->probe_start[f + 1]; p++)
      if (probe_id[p] != UINT32_MAX) prefix[at++] = probe_id[p];
  }
  ps[b->n] = at;
  uint32_t *qs = (uint32_t *)v.post_start, *post = (uint32_t *)v.post;
  for (uint32_t e = 0; e < n_elements; e++) qs[e] = run[e];
  qs[n_elements] = (uint32_t)b->n_index;
  for (size_t p = 0; p < b->n_index; p++) post[p] = b->index[p].func;
  free(run), free(probe_id);
  *out = blk;
  *size = bytes;
  return 0;
}

/* A stream's length and index, for filter_order. */
typedef struct length_index {
  uint32_t len, index;
} length_index;

static int length_index_cmp(const void *pa, const void *pb) {
  const length_index *a = pa, *b = pb;
  if (a->len != b->len) return a->len < b->len ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index;
}

static int filter_order(const uint32_t *len, size_t n, uint32_t *order) {
  length_index *li = malloc((n ? n : 1) * sizeof *li);
  if (!li) return AS_ENOMEM;
  for (size_t f = 0; f < n; f++) li[f] = (length_index){len[f], (uint32_t)f};
  qsort(li, n, sizeof *li, length_index_cmp);
  for (size_t f = 0; f < n; f++) order[f] = li[f].index;
  free(li);
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
    if (len[f] == 0 || (f > 0 && len[f] < len[f - 1])) return AS_EINVAL;
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

int as_filter_build_any_order(const uint32_t *const *tokens, const uint32_t *len,
                           size_t n, double min_similarity, uint32_t *order,
                           as_filter_shared **shared, size_t *size) {
  *shared = NULL;
  *size = 0;
  const uint32_t **tok = malloc((n ? n : 1) * sizeof *tok);
  uint32_t *sorted_len = malloc((n ? n : 1) * sizeof *sorted_len);
  int rc = tok && sorted_len ? filter_order(len, n, order) : AS_ENOMEM;
  for (size_t k = 0; rc == 0 && k < n; k++) {
    tok[k] = tokens[order[k]];
    sorted_len[k] = len[order[k]];
  }
  if (rc == 0) rc = as_filter_build(tok, sorted_len, n, min_similarity, shared, size);
  free(tok), free(sorted_len);
  return rc;
}

int as_filter_tasks(const as_filter_shared *shared, as_filter_task **tasks,
                    size_t *n_tasks) {
  /* Blocks wholly below the query's shortest partner are left out: no pair
   * there passes the length bound. */
  as_filter_view v;
  as_filter_view_init(shared, &v);
  size_t count = 0;
  for (int pass = 0; pass < 2; pass++) {
    as_filter_task *t = NULL;
    if (pass == 1 && !(t = malloc((count ? count : 1) * sizeof *t)))
      return AS_ENOMEM;
    size_t at = 0;
    for (uint32_t i = 0; i < shared->n; i++)
      for (uint32_t blk = as_filter_first_partner(&v, i) / AS_FILTER_BLOCK;
           (uint64_t)blk * AS_FILTER_BLOCK < i; blk++)
        if (pass == 1) t[at++] = (as_filter_task){i, blk};
        else count++;
    *tasks = t;
  }
  *n_tasks = count;
  return 0;
}
