/* The filter kernel's shared block: token histograms and the prefix index
 * (runtime/kernels/filter.h says why the index loses no pair). Lengths
 * must not decrease, so that every query's partners are no longer than it
 * and form one range. */
#include <stdlib.h>
#include <string.h>

#include <accelstrat/error.h>
#include <accelstrat/kernels.h>

#include "filter.h"

/* Element (token, k): the k-th copy of token in a stream. Elements are
 * ordered rarest first: by the number of streams that hold at least k
 * copies of token (df), then by token, then by k. The distinct elements are
 * laid out token by token, tokens ascending and k ascending within one, so
 * that an element's place e in that layout orders it like (token, k), and
 * (df, e) is its key in the global order; its rank there names it. */

/* LSD radix sort of n 64-bit keys on their low `bytes` bytes, carrying a
 * 32-bit payload when pay is not NULL; tk and tp are scratch of n entries.
 * A pass whose byte is the same in every key is skipped. */
static void radix_sort(uint64_t *key, uint32_t *pay, size_t n, int bytes,
                       uint64_t *tk, uint32_t *tp) {
  if (n < 2) return;
  if (n <= 32) { /* insertion sort: stable, and cheaper at this size */
    for (size_t i = 1; i < n; i++) {
      uint64_t k = key[i];
      uint32_t p = pay ? pay[i] : 0;
      size_t j = i;
      for (; j > 0 && key[j - 1] > k; j--) {
        key[j] = key[j - 1];
        if (pay) pay[j] = pay[j - 1];
      }
      key[j] = k;
      if (pay) pay[j] = p;
    }
    return;
  }
  for (int b = 0; b < bytes; b++) {
    size_t count[257] = {0};
    const int shift = 8 * b;
    for (size_t i = 0; i < n; i++) count[((key[i] >> shift) & 0xff) + 1]++;
    if (count[((key[0] >> shift) & 0xff) + 1] == n) continue;
    for (int d = 0; d < 256; d++) count[d + 1] += count[d];
    for (size_t i = 0; i < n; i++) {
      size_t at = count[(key[i] >> shift) & 0xff]++;
      tk[at] = key[i];
      if (pay) tp[at] = pay[i];
    }
    memcpy(key, tk, n * sizeof *key);
    if (pay) memcpy(pay, tp, n * sizeof *pay);
  }
}

static int bytes_for(uint64_t max) {
  int b = 1;
  while (b < 8 && (max >> (8 * b))) b++;
  return b;
}

typedef struct builder {
  size_t n;
  double s;
  uint32_t *len, *hist_start, *hist_token, *hist_count;
  size_t n_hist;
  uint32_t *elem_base; /* per histogram entry: its token's first element */
  uint32_t *rank;      /* per element (layout place): its rank */
  uint32_t n_distinct; /* distinct elements */
  uint32_t *index;     /* every function's indexing prefix (ranks) */
  uint32_t *index_start;
  uint32_t *probe; /* every function's probing prefix (ranks) */
  uint32_t *probe_start;
  uint64_t *k64, *t64; /* scratch keys, of the longest of the sorts */
  uint32_t *p32, *t32; /* scratch payloads */
} builder;

static void builder_free(builder *b) {
  free(b->len), free(b->hist_start), free(b->hist_token), free(b->hist_count);
  free(b->elem_base), free(b->rank), free(b->index), free(b->index_start);
  free(b->probe), free(b->probe_start);
  free(b->k64), free(b->t64), free(b->p32), free(b->t32);
}

/* Histograms: each stream's tokens sorted and counted. */
static int build_histograms(builder *b, const uint32_t *const *tokens) {
  size_t total = 0;
  for (size_t f = 0; f < b->n; f++) total += b->len[f];
  b->hist_start = malloc((b->n + 1) * sizeof *b->hist_start);
  b->hist_token = malloc((total ? total : 1) * sizeof *b->hist_token);
  b->hist_count = malloc((total ? total : 1) * sizeof *b->hist_count);
  if (!b->hist_start || !b->hist_token || !b->hist_count) return AS_ENOMEM;
  size_t h = 0;
  for (size_t f = 0; f < b->n; f++) {
    b->hist_start[f] = (uint32_t)h;
    uint64_t *sorted = b->k64;
    for (uint32_t t = 0; t < b->len[f]; t++) sorted[t] = tokens[f][t];
    radix_sort(sorted, NULL, b->len[f], 4, b->t64, NULL);
    for (uint32_t t = 0; t < b->len[f]; t++) {
      if (t == 0 || sorted[t] != sorted[t - 1]) {
        b->hist_token[h] = (uint32_t)sorted[t];
        b->hist_count[h++] = 0;
      }
      b->hist_count[h - 1]++;
    }
  }
  b->hist_start[b->n] = (uint32_t)h;
  b->n_hist = h;
  return 0;
}

/* The distinct elements and their ranks in the global order. Sorting the
 * histogram entries by (token, count) gives, for each token, the ascending
 * counts of the r streams that hold it: df(token, k) is r less those with
 * fewer than k copies. */
static int rank_elements(builder *b) {
  size_t nh = b->n_hist;
  uint64_t *key = b->k64;
  uint32_t *entry = b->p32;
  for (size_t h = 0; h < nh; h++) {
    key[h] = (uint64_t)b->hist_token[h] << 32 | b->hist_count[h];
    entry[h] = (uint32_t)h;
  }
  radix_sort(key, entry, nh, 8, b->t64, b->t32);
  b->elem_base = malloc((nh ? nh : 1) * sizeof *b->elem_base);
  if (!b->elem_base) return AS_ENOMEM;
  /* Each token's copies: elements (token, 1 .. its largest count). */
  size_t n_distinct = 0;
  for (size_t h = 0; h < nh;) {
    size_t end = h;
    while (end < nh && key[end] >> 32 == key[h] >> 32) end++;
    uint32_t largest = (uint32_t)key[end - 1];
    for (size_t x = h; x < end; x++)
      b->elem_base[entry[x]] = (uint32_t)n_distinct;
    n_distinct += largest;
    h = end;
  }
  if (n_distinct >= UINT32_MAX) return AS_EINVAL;
  b->n_distinct = (uint32_t)n_distinct;
  uint64_t *ekey = malloc((n_distinct ? n_distinct : 1) * sizeof *ekey);
  uint64_t *etmp = malloc((n_distinct ? n_distinct : 1) * sizeof *etmp);
  uint32_t *eplace = malloc((n_distinct ? n_distinct : 1) * sizeof *eplace);
  uint32_t *eptmp = malloc((n_distinct ? n_distinct : 1) * sizeof *eptmp);
  b->rank = malloc((n_distinct ? n_distinct : 1) * sizeof *b->rank);
  if (!ekey || !etmp || !eplace || !eptmp || !b->rank) {
    free(ekey), free(etmp), free(eplace), free(eptmp);
    return AS_ENOMEM;
  }
  size_t e = 0;
  for (size_t h = 0; h < nh;) {
    size_t end = h;
    while (end < nh && key[end] >> 32 == key[h] >> 32) end++;
    uint32_t largest = (uint32_t)key[end - 1];
    size_t fewer = h; /* entries of this token with fewer than k copies */
    for (uint32_t k = 1; k <= largest; k++, e++) {
      while ((uint32_t)key[fewer] < k) fewer++;
      uint64_t df = end - fewer;
      ekey[e] = df << 32 | e;
      eplace[e] = (uint32_t)e;
    }
    h = end;
  }
  radix_sort(ekey, eplace, n_distinct, 8, etmp, eptmp);
  for (size_t r = 0; r < n_distinct; r++) b->rank[eplace[r]] = (uint32_t)r;
  free(ekey), free(etmp), free(eplace), free(eptmp);
  return 0;
}

/* Each function's element ranks, ascending; its indexing prefix and probing
 * prefix are the first as_filter_index_len and as_filter_probe_len. */
static int build_prefixes(builder *b) {
  size_t n_index = 0, n_probe = 0;
  for (size_t f = 0; f < b->n; f++) {
    n_index += as_filter_index_len(b->len[f], b->s);
    n_probe += as_filter_probe_len(b->len[f], b->s);
  }
  b->index = malloc((n_index ? n_index : 1) * sizeof *b->index);
  b->index_start = malloc((b->n + 1) * sizeof *b->index_start);
  b->probe = malloc((n_probe ? n_probe : 1) * sizeof *b->probe);
  b->probe_start = malloc((b->n + 1) * sizeof *b->probe_start);
  if (!b->index || !b->index_start || !b->probe || !b->probe_start)
    return AS_ENOMEM;
  int bytes = bytes_for(b->n_distinct);
  uint32_t at_index = 0, at_probe = 0;
  for (size_t f = 0; f < b->n; f++) {
    uint64_t *mine = b->k64;
    size_t m = 0;
    for (uint32_t h = b->hist_start[f]; h < b->hist_start[f + 1]; h++)
      for (uint32_t k = 0; k < b->hist_count[h]; k++)
        mine[m++] = b->rank[b->elem_base[h] + k];
    radix_sort(mine, NULL, m, bytes, b->t64, NULL);
    uint32_t ni = as_filter_index_len(b->len[f], b->s);
    uint32_t np = as_filter_probe_len(b->len[f], b->s);
    b->index_start[f] = at_index;
    for (uint32_t x = 0; x < ni; x++) b->index[at_index++] = (uint32_t)mine[x];
    b->probe_start[f] = at_probe;
    for (uint32_t x = 0; x < np; x++) b->probe[at_probe++] = (uint32_t)mine[x];
  }
  b->index_start[b->n] = at_index;
  b->probe_start[b->n] = at_probe;
  return 0;
}

/* Lays out the block: indexed elements numbered in the global order, each
 * with the ascending list of functions whose indexing prefix holds it (a
 * counting sort by rank, functions visited in order); each function's
 * probing prefix as the ids of its elements that are indexed (probing any
 * other finds nothing). */
static int build_block(builder *b, as_filter_shared **out, size_t *size) {
  uint32_t nd = b->n_distinct, n_index = b->index_start[b->n];
  uint32_t *start = calloc((size_t)nd + 1, sizeof *start); /* by rank */
  uint32_t *id = malloc((nd ? nd : 1) * sizeof *id);
  if (!start || !id) {
    free(start), free(id);
    return AS_ENOMEM;
  }
  for (uint32_t p = 0; p < n_index; p++) start[b->index[p] + 1]++;
  uint32_t n_elements = 0;
  for (uint32_t r = 0; r < nd; r++) {
    id[r] = start[r + 1] ? n_elements++ : UINT32_MAX;
    start[r + 1] += start[r];
  }
  uint32_t n_probe = 0;
  for (uint32_t p = 0; p < b->probe_start[b->n]; p++)
    n_probe += id[b->probe[p]] != UINT32_MAX;
  as_filter_shared hdr = {(uint32_t)b->n,
                          n_elements,
                          (uint32_t)b->n_hist,
                          n_probe,
                          n_index,
                          0,
                          b->s};
  size_t bytes = sizeof hdr + as_filter_words(&hdr) * sizeof(uint32_t);
  as_filter_shared *blk = malloc(bytes);
  if (!blk) {
    free(start), free(id);
    return AS_ENOMEM;
  }
  *blk = hdr;
  as_filter_view v;
  as_filter_view_init(blk, &v);
  memcpy((uint32_t *)v.len, b->len, b->n * sizeof(uint32_t));
  memcpy((uint32_t *)v.hist_start, b->hist_start,
         (b->n + 1) * sizeof(uint32_t));
  memcpy((uint32_t *)v.hist_token, b->hist_token, b->n_hist * sizeof(uint32_t));
  memcpy((uint32_t *)v.hist_count, b->hist_count, b->n_hist * sizeof(uint32_t));
  uint32_t *ps = (uint32_t *)v.prefix_start, *prefix = (uint32_t *)v.prefix;
  uint32_t at = 0;
  for (size_t f = 0; f < b->n; f++) {
    ps[f] = at;
    for (uint32_t p = b->probe_start[f]; p < b->probe_start[f + 1]; p++)
      if (id[b->probe[p]] != UINT32_MAX) {
        ((uint32_t *)v.prefix_place)[at] = p - b->probe_start[f];
        prefix[at++] = id[b->probe[p]];
      }
  }
  ps[b->n] = at;
  uint32_t *qs = (uint32_t *)v.post_start, *post = (uint32_t *)v.post;
  for (uint32_t r = 0; r < nd; r++)
    if (id[r] != UINT32_MAX) qs[id[r]] = start[r];
  qs[n_elements] = n_index;
  for (size_t f = 0; f < b->n; f++)
    for (uint32_t p = b->index_start[f]; p < b->index_start[f + 1]; p++) {
      uint32_t q = start[b->index[p]]++;
      post[q] = (uint32_t)f;
      ((uint32_t *)v.post_place)[q] = p - b->index_start[f];
    }
  free(start), free(id);
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
  /* Scratch for the sorts: the longest is of every histogram entry (at
   * most every token) or of one stream's tokens. */
  size_t scratch = total ? (size_t)total : 1;
  b.k64 = malloc(scratch * sizeof *b.k64),
  b.t64 = malloc(scratch * sizeof *b.t64);
  b.p32 = malloc(scratch * sizeof *b.p32),
  b.t32 = malloc(scratch * sizeof *b.t32);
  int rc = b.k64 && b.t64 && b.p32 && b.t32 ? build_histograms(&b, tokens)
                                            : AS_ENOMEM;
  if (rc == 0) rc = rank_elements(&b);
  if (rc == 0) rc = build_prefixes(&b);
  if (rc == 0) rc = build_block(&b, shared, size);
  builder_free(&b);
  return rc;
}

int as_filter_build_any_order(const uint32_t *const *tokens,
                              const uint32_t *len, size_t n,
                              double min_similarity, uint32_t *order,
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
  if (rc == 0)
    rc = as_filter_build(tok, sorted_len, n, min_similarity, shared, size);
  free(tok), free(sorted_len);
  return rc;
}

/* Blocks wholly below the query's shortest partner are left out: no pair
 * there passes the length bound. */
static uint32_t first_block(const as_filter_view *v, uint32_t query) {
  return as_filter_first_partner(v, query) / AS_FILTER_BLOCK;
}

static uint32_t end_block(uint32_t query) {
  return (uint32_t)(((uint64_t)query + AS_FILTER_BLOCK - 1) / AS_FILTER_BLOCK);
}

size_t as_filter_query_tasks(const as_filter_shared *shared, uint32_t query) {
  as_filter_view v;
  as_filter_view_init(shared, &v);
  return query < shared->n ? end_block(query) - first_block(&v, query) : 0;
}

int as_filter_tasks_of(const as_filter_shared *shared, uint32_t begin,
                       uint32_t end, as_filter_task **tasks, size_t *n_tasks) {
  as_filter_view v;
  as_filter_view_init(shared, &v);
  if (end > shared->n) end = shared->n;
  size_t count = 0;
  for (uint32_t i = begin; i < end; i++)
    count += end_block(i) - first_block(&v, i);
  as_filter_task *t = malloc((count ? count : 1) * sizeof *t);
  if (!t) return AS_ENOMEM;
  size_t at = 0;
  for (uint32_t i = begin; i < end; i++)
    for (uint32_t blk = first_block(&v, i); blk < end_block(i); blk++)
      t[at++] = (as_filter_task){i, blk};
  *tasks = t;
  *n_tasks = count;
  return 0;
}

int as_filter_tasks(const as_filter_shared *shared, as_filter_task **tasks,
                    size_t *n_tasks) {
  return as_filter_tasks_of(shared, 0, shared->n, tasks, n_tasks);
}
