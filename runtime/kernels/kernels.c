/* The built-in kernels' descriptors: input checks, costs and CPU loops around
 * the shared per-task math of filter.h and lcs.h. */
#include <stdint.h>
#include <stdlib.h>

#include <accelstrat/error.h>
#include <accelstrat/kernels.h>

#include "alloc.h"
#include "align.h"
#include "filter.h"
#include "lcs.h"

/* ---- filter ---- */

static uint64_t filter_cost(const as_batch *b, size_t i) {
  as_filter_view v;
  const as_filter_task *t;
  /* The view is located, not checked: a cost must be cheap, and the batch
   * is checked before it runs. */
  const as_filter_shared *h = b->shared;
  if (!h || b->shared_size < sizeof *h ||
      (b->shared_size - sizeof *h) / sizeof(uint32_t) < as_filter_words(h))
    return 1;
  as_filter_view_init(h, &v);
  if (!(t = as__filter_task(b, &v, i)) ||
      v.prefix_start[t->query + 1] > h->n_prefix)
    return 1;
  for (uint32_t p = v.prefix_start[t->query]; p < v.prefix_start[t->query + 1]; p++)
    if (v.prefix[p] >= h->n_elements || v.post_start[v.prefix[p] + 1] > h->n_post)
      return 1;
  return as_filter_task_work(&v, *t);
}

static int filter_cpu(const as_batch *b, size_t begin, size_t end) {
  as_filter_view v;
  if (as__check_filter(b, begin, end, &v) < 0) return AS_EINVAL;
  for (size_t i = begin; i < end; i++)
    as_filter_task_run(&v, *as__filter_task(b, &v, i), as_task_output(b, i));
  return 0;
}

const as_kernel as_kernel_filter = {
    .name = "filter",
    .version = 1,
    .out_size = sizeof(as_filter_out),
    .cost = filter_cost,
    .cpu = filter_cpu,
    .has_gpu = 1,
};

/* ---- align ---- */

/* The bit-parallel algorithm's steps, not the len_a x len_b cells: each
 * token of the longer stream costs a search among the shorter one's m
 * tokens and an update of its ceil(m/64) words, after a sort of m. Cells
 * would price a pair of 2000-token streams at 100 times a pair of 200, when
 * it takes about 35 times as long. */
static uint64_t align_cost(const as_batch *b, size_t i) {
  const as_align_task *task = as__align_task(b, i);
  if (!task) return 1;
  uint64_t m = task->len_a < task->len_b ? task->len_a : task->len_b;
  uint64_t n = task->len_a < task->len_b ? task->len_b : task->len_a;
  uint64_t log = 1;
  while ((1ull << log) <= m) log++;
  uint64_t steps = m ? n * ((m + 63) / 64 + log) + m * log : 0;
  return steps ? steps : 1;
}

static int align_cpu(const as_batch *b, size_t begin, size_t end) {
  /* Every task is checked before any runs, and one workspace fits them all. */
  if (as__check_align(b, begin, end) < 0) return AS_EINVAL;
  size_t words = 0;
  for (size_t i = begin; i < end; i++) {
    const as_align_task *task = as__align_task(b, i);
    size_t need = as_lcs_workspace_words(task->len_a, task->len_b);
    if (need > words) words = need;
  }
  uint64_t *work = NULL;
  if (words && !(work = as__malloc(words * sizeof *work))) return AS_ENOMEM;
  for (size_t i = begin; i < end; i++) {
    const as_align_task *task = as__align_task(b, i);
    const uint32_t *tokens_a = (const uint32_t *)(task + 1);
    const uint32_t *tokens_b = tokens_a + task->len_a;
    as_align_out *out = as_task_output(b, i);
    out->lcs = as_lcs(tokens_a, task->len_a, tokens_b, task->len_b, work);
    out->total = task->len_a + task->len_b;
  }
  as__free(work);
  return 0;
}

const as_kernel as_kernel_align = {
    .name = "align",
    .version = 1,
    .out_size = sizeof(as_align_out),
    .cost = align_cost,
    .cpu = align_cpu,
    .has_gpu = 1,
};
