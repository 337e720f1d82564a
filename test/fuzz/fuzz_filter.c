/* The filter kernel (as_filter_build_any_order, as_filter_tasks, its CPU
 * function and as_run on two threads) against plain references. The input
 * decodes to up to 64 token streams of up to 200 tokens (or, one time in
 * two, up to 640 of up to 3, so that queries have several blocks of
 * partners), many of them near-copies of earlier ones, over one of
 * fuzz_kernel.h's alphabets, and a threshold. The first input byte picks
 * the mode:
 *
 * even: every pair's bit must be exactly the length and overlap bounds of
 *   kernels.h (the overlap from the streams' sorted tokens, not their
 *   histograms), no bit may name a partner at or past its query, a pair
 *   whose dynamic-programming LCS reaches the threshold must be kept, and
 *   both runs give the same bytes;
 * odd: the block and the tasks are damaged first (words overwritten from
 *   the input): both runs must refuse the batch (AS_EINVAL) or run it, alike,
 *   and then every bit kept is a pair the damaged block's own lengths and
 *   histograms bound above the threshold ("pairs may be missed, never
 *   wrongly kept"); the sanitizers see every read the kernel makes. */
#include "fuzz_kernel.h"

#include <accelstrat/kernels.h>

enum { MAX_FUNCS = 640 };

typedef struct streams {
  size_t n;
  uint32_t *tok[MAX_FUNCS], len[MAX_FUNCS];
  uint32_t *sorted[MAX_FUNCS];
} streams;

static streams st;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  fuzz_kernel_init();
  return 0;
}

static int by_value(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

static void decode(fuzz_in *in, int *small) {
  int many = (fuzz_u8(in) & 3) == 0;
  size_t n = many ? 1 + (fuzz_u8(in) | fuzz_u8(in) << 8) % MAX_FUNCS
                  : 1 + fuzz_u8(in) % 64;
  uint32_t max_len = many ? 3 : 1 + fuzz_u8(in) % 200;
  int kind = fuzz_u8(in) % ALPHABETS;
  st.n = n;
  *small = !many;
  for (size_t f = 0; f < n; f++) {
    int copy = f > 0 && fuzz_u8(in) % 10 < 6;
    size_t from = copy ? (fuzz_u8(in) | fuzz_u8(in) << 8) % f : 0;
    uint32_t base = copy ? st.len[from] : 0, m;
    if (copy) {
      int delta = (int)(fuzz_u8(in) % 5) - 2;
      m = (int)base + delta < 1 ? 1 : (uint32_t)((int)base + delta);
    } else {
      m = 1 + fuzz_u8(in) % max_len;
    }
    uint32_t *t = malloc(m * sizeof *t);
    for (uint32_t k = 0; k < m; k++)
      t[k] = copy && fuzz_u8(in) < 200 ? st.tok[from][(uint64_t)k * base / m]
                                       : fuzz_token(in, kind);
    st.tok[f] = t, st.len[f] = m;
    st.sorted[f] = malloc(m * sizeof *t);
    memcpy(st.sorted[f], t, m * sizeof *t);
    qsort(st.sorted[f], m, sizeof *t, by_value);
  }
}

static void streams_free(void) {
  for (size_t f = 0; f < st.n; f++) free(st.tok[f]), free(st.sorted[f]);
  st.n = 0;
}

static double threshold(fuzz_in *in) {
  static const double common[] = {0.3, 0.5, 0.65, 0.8, 0.9, 0.95, 1.0};
  uint8_t x = fuzz_u8(in);
  if (x < 7 * 16) return common[x % 7];
  return (double)(1 + (fuzz_u8(in) | fuzz_u8(in) << 8) % 1000) / 1000.0;
}

/* The overlap: matched elements of two sorted multisets. */
static uint32_t overlap(const uint32_t *a, uint32_t m, const uint32_t *b,
                        uint32_t n) {
  uint32_t i = 0, j = 0, common = 0;
  while (i < m && j < n) {
    if (a[i] == b[j])
      common++, i++, j++;
    else if (a[i] < b[j])
      i++;
    else
      j++;
  }
  return common;
}

/* Runs the search's tasks through the CPU function and as_run: the same
 * return code and, when 0, the same outputs (in out). */
static int run_both(const as_batch *b, as_filter_out *out) {
  size_t n = b->n ? b->n : 1;
  as_filter_out *again = malloc(n * sizeof *again);
  as_batch run = *b;
  run.out = out;
  memset(out, 0xa5, n * sizeof *out);
  int rc = as_kernel_filter.cpu(&run, 0, run.n);
  run.out = again;
  memset(again, 0x5a, n * sizeof *again);
  as_report rep;
  int rc2 = as_run(fuzz_executor, &run, &rep);
  FUZZ_CHECK(rc == 0 || rc == AS_EINVAL, "the CPU function: %d", rc);
  /* An empty batch runs nothing, so as_run never asks the kernel to check
   * its block (executor.c: "nothing to run ... cannot fail"). */
  FUZZ_CHECK(b->n ? rc == rc2 : rc2 == 0,
             "%zu tasks: the CPU function %d, "
             "as_run %d",
             b->n, rc, rc2);
  FUZZ_CHECK(rc != 0 || memcmp(out, again, b->n * sizeof *out) == 0,
             "the CPU function and as_run differ");
  free(again);
  return rc;
}

static int out_bit(const as_filter_out *o, uint32_t k) {
  return (int)(o->bits[k / 64] >> (k % 64) & 1);
}

/* No bit names a partner at or past the query. */
static void check_range(const as_filter_task *tasks, size_t n_tasks,
                        const as_filter_out *out) {
  for (size_t t = 0; t < n_tasks; t++)
    for (uint32_t k = 0; k < AS_FILTER_BLOCK; k++)
      FUZZ_CHECK(!out_bit(&out[t], k) ||
                     (uint64_t)tasks[t].block * AS_FILTER_BLOCK + k <
                         tasks[t].query,
                 "task %zu (query %u, block %u): bit %u", t, tasks[t].query,
                 tasks[t].block, k);
}

static void exact_mode(const as_filter_shared *shared, const uint32_t *order,
                       const as_filter_task *tasks, size_t n_tasks,
                       const as_filter_out *out, double s, int small) {
  size_t n = st.n, blocks = (n + AS_FILTER_BLOCK - 1) / AS_FILTER_BLOCK;
  FUZZ_CHECK(shared->n == n, "a block of %u functions for %zu", shared->n, n);
  for (size_t k = 1; k < n; k++)
    FUZZ_CHECK(st.len[order[k - 1]] <= st.len[order[k]],
               "the block's functions are not by length");
  long *task_of = malloc(n * blocks * sizeof *task_of);
  for (size_t k = 0; k < n * blocks; k++) task_of[k] = -1;
  for (size_t t = 0; t < n_tasks; t++) {
    FUZZ_CHECK(tasks[t].query < n && tasks[t].block < blocks,
               "task %zu: query %u block %u", t, tasks[t].query,
               tasks[t].block);
    FUZZ_CHECK(task_of[tasks[t].query * blocks + tasks[t].block] < 0,
               "two tasks for query %u block %u", tasks[t].query,
               tasks[t].block);
    task_of[tasks[t].query * blocks + tasks[t].block] = (long)t;
  }
  check_range(tasks, n_tasks, out);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t fi = order[i], m = st.len[fi];
    for (uint32_t j = 0; j < i; j++) {
      uint32_t fj = order[j], l = st.len[fj];
      uint64_t total = (uint64_t)m + l;
      int bound = as_similarity_reaches(m < l ? m : l, total, s) &&
                  as_similarity_reaches(
                      overlap(st.sorted[fi], m, st.sorted[fj], l), total, s);
      long t = task_of[i * blocks + j / AS_FILTER_BLOCK];
      int bit = t >= 0 && out_bit(&out[t], j % AS_FILTER_BLOCK);
      FUZZ_CHECK(bit == bound,
                 "pair (%u, %u) of lengths %u %u at %g: bit %d, bounds %d", i,
                 j, m, l, s, bit, bound);
      if (small && !bit && (uint64_t)m * l <= 10000)
        FUZZ_CHECK(!as_similarity_reaches(
                       as_lcs_dp(st.tok[fi], m, st.tok[fj], l), total, s),
                   "pair (%u, %u) reaches %g aligned but was dropped", i, j, s);
    }
  }
  free(task_of);
}

/* Overlap of functions i and j from the block's own histograms. */
static uint64_t view_overlap(const uint32_t *w, const as_filter_shared *h,
                             uint32_t i, uint32_t j) {
  const uint32_t *hist_start = w + h->n,
                 *hist_token =
                     w + 2 * (uint64_t)h->n + 1 + h->n + 1 + h->n_elements + 1;
  const uint32_t *hist_count = hist_token + h->n_hist;
  uint64_t common = 0;
  for (uint32_t a = hist_start[i]; a < hist_start[i + 1]; a++)
    for (uint32_t b = hist_start[j]; b < hist_start[j + 1]; b++)
      if (hist_token[a] == hist_token[b])
        common += hist_count[a] < hist_count[b] ? hist_count[a] : hist_count[b];
  return common;
}

static void damaged_mode(fuzz_in *in, as_filter_shared *shared, size_t size,
                         as_filter_task *tasks, size_t n_tasks,
                         uint64_t *offsets) {
  uint32_t *block = (uint32_t *)shared;
  size_t words = size / 4, task_words = n_tasks * 2;
  for (int d = 1 + fuzz_u8(in) % 8; d-- > 0;) {
    uint8_t how = fuzz_u8(in);
    size_t at = fuzz_u32(in) % (words + task_words);
    uint32_t *w = at < words ? &block[at] : &((uint32_t *)tasks)[at - words];
    *w = how < 80 ? *w + 1 : how < 160 ? *w - 1 : fuzz_u32(in);
  }
  size_t shrink = fuzz_u8(in) % 16 == 0 ? 4 * (1 + fuzz_u8(in) % 4) : 0;
  size_t shared_size = size > shrink ? size - shrink : 0;
  as_batch b = {&as_kernel_filter, n_tasks, tasks, offsets, shared,
                shared_size,       NULL};
  as_filter_out *out = malloc((n_tasks ? n_tasks : 1) * sizeof *out);
  if (run_both(&b, out) == 0) {
    const as_filter_shared *h = shared;
    const uint32_t *w = (const uint32_t *)(h + 1), *len = w;
    check_range(tasks, n_tasks, out);
    for (size_t t = 0; t < n_tasks; t++)
      for (uint32_t k = 0; k < AS_FILTER_BLOCK; k++) {
        if (!out_bit(&out[t], k)) continue;
        uint32_t i = tasks[t].query, j = tasks[t].block * AS_FILTER_BLOCK + k;
        uint64_t total = (uint64_t)len[i] + len[j];
        double s = h->min_similarity;
        FUZZ_CHECK(
            as_similarity_reaches(len[i] < len[j] ? len[i] : len[j], total,
                                  s) &&
                as_similarity_reaches(view_overlap(w, h, i, j), total, s),
            "damaged block: pair (%u, %u) kept beyond its bounds", i, j);
      }
  }
  free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_in in = {data, size};
  int damage = fuzz_u8(&in) & 1, small;
  decode(&in, &small);
  double s = threshold(&in);
  uint32_t *order = malloc(st.n * sizeof *order);
  as_filter_shared *shared = NULL;
  size_t shared_size = 0, n_tasks = 0;
  as_filter_task *tasks = NULL;
  int rc = as_filter_build_any_order((const uint32_t *const *)st.tok, st.len,
                                     st.n, s, order, &shared, &shared_size);
  FUZZ_CHECK(rc == 0, "as_filter_build_any_order: %d", rc);
  FUZZ_CHECK(as_filter_tasks(shared, &tasks, &n_tasks) == 0, "as_filter_tasks");
  uint64_t *offsets = malloc((n_tasks + 1) * sizeof *offsets);
  for (size_t t = 0; t <= n_tasks; t++) offsets[t] = t * sizeof *tasks;
  if (damage) {
    damaged_mode(&in, shared, shared_size, tasks, n_tasks, offsets);
  } else {
    as_filter_out *out = malloc((n_tasks ? n_tasks : 1) * sizeof *out);
    as_batch b = {&as_kernel_filter, n_tasks, tasks, offsets, shared,
                  shared_size,       NULL};
    FUZZ_CHECK(run_both(&b, out) == 0, "a built search refused");
    exact_mode(shared, order, tasks, n_tasks, out, s, small);
    free(out);
  }
  free(offsets), free(tasks), free(shared), free(order);
  streams_free();
  return 0;
}
