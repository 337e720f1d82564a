/* Host-side input checks of the built-in kernels, shared by their CPU
 * functions (kernels.c) and the CUDA backend, so that both reject the same
 * batches with AS_EINVAL, before computing or copying anything. Offsets must
 * not decrease: a chunk's input is the one range [offsets[begin],
 * offsets[end]). */
#ifndef ACCELSTRAT_KERNELS_VALIDATE_H
#define ACCELSTRAT_KERNELS_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include <accelstrat/error.h>
#include <accelstrat/kernels.h>

#include "filter.h"

static inline int as__token_aligned(const void *p) {
  return (uintptr_t)p % sizeof(uint32_t) == 0;
}

static inline int as__offsets_ascend(const as_batch *b, size_t begin,
                                         size_t end) {
  if (!b->offsets) return 1;
  for (size_t i = begin; i < end; i++)
    if (b->offsets[i + 1] < b->offsets[i]) return 0;
  return 1;
}

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
    if (v->len[f] == 0 || sum != v->len[f] || (f > 0 && v->len[f] < v->len[f - 1]))
      return 0;
  }
  for (uint32_t f = 0; f < h->n; f++)
    for (uint32_t p = v->prefix_start[f]; p < v->prefix_start[f + 1]; p++)
      if (v->prefix[p] >= h->n_elements || v->prefix_place[p] >= v->len[f])
        return 0;
  for (uint32_t e = 0; e < h->n_elements; e++)
    for (uint32_t q = v->post_start[e]; q < v->post_start[e + 1]; q++)
      if (v->post[q] >= h->n || (q > v->post_start[e] && v->post[q] <= v->post[q - 1]) ||
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
static inline const as_filter_task *as__filter_task(const as_batch *b,
                                                    const as_filter_view *v,
                                                    size_t i) {
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

/* Task i's header, or NULL when the task is misaligned or its size is not
 * exactly that of its header and tokens. */
static inline const as_align_task *as__align_task(const as_batch *b,
                                                      size_t i) {
  size_t size;
  const as_align_task *task = (const as_align_task *)as_task_input(b, i, &size);
  if (size < sizeof *task || !as__token_aligned(task)) return NULL;
  uint64_t tokens = (uint64_t)task->len_a + task->len_b;
  if (tokens > UINT32_MAX ||
      (uint64_t)size != sizeof *task + tokens * sizeof(uint32_t))
    return NULL;
  return task;
}

static inline int as__check_align(const as_batch *b, size_t begin,
                                      size_t end) {
  if (!as__offsets_ascend(b, begin, end)) return AS_EINVAL;
  for (size_t i = begin; i < end; i++)
    if (!as__align_task(b, i)) return AS_EINVAL;
  return 0;
}

#endif
