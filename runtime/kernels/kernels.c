/* The built-in kernels and their registry (registry.h). One section per
 * kernel: its descriptor (cost and CPU loop around the shared per-task math
 * and input checks of its header) and its registry entry (default rates,
 * calibration shapes, the benchmarks' workload, the synthetic generator);
 * then the table every consumer loops over. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <accelstrat/error.h>
#include <accelstrat/kernels.h>

#include "support/alloc.h"
#include "align.h"
#include "lcs_cpu.h"
#include "filter.h"
#include "lcs.h"
#include "registry.h"

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
  for (uint32_t p = v.prefix_start[t->query]; p < v.prefix_start[t->query + 1];
       p++)
    if (v.prefix[p] >= h->n_elements ||
        v.post_start[v.prefix[p] + 1] > h->n_post)
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
};

static int filter_check(const as_batch *b, size_t begin, size_t end) {
  as_filter_view v;
  return as__check_filter(b, begin, end, &v);
}

/* A filter batch searches families of functions, as a program's copies
 * are: each function is either fresh (min_len..max_len tokens) or, six
 * times in ten, a near-duplicate of an earlier one (one edit in `every`,
 * 10 when 0; its length changed by -1/16..+1/16). The functions, in the
 * filter's order (by length, ties by age), go through as_filter_build at
 * min_similarity (0.8 when 0) and as_filter_tasks; their number grows until
 * the search has at least n tasks, and n of them are taken evenly from its
 * list. */
typedef struct family {
  uint32_t n;
  uint32_t **tok, *len;
} family;

static void family_free(family *fm) {
  for (uint32_t f = 0; f < fm->n; f++) free(fm->tok[f]);
  free(fm->tok), free(fm->len);
}

static int family_grow(family *fm, as_rng *r, const as_synth_shape *sh,
                       uint32_t alphabet, uint32_t want) {
  uint32_t **tok = realloc(fm->tok, want * sizeof *tok);
  if (tok) fm->tok = tok;
  uint32_t *len = realloc(fm->len, want * sizeof *len);
  if (len) fm->len = len;
  if (!tok || !len) return AS_ENOMEM;
  uint32_t every = sh->every ? sh->every : 10;
  for (; fm->n < want; fm->n++) {
    uint32_t f = fm->n;
    int copy = f > 0 && as__rng_below(r, 10) < 6;
    uint32_t from = copy ? as__rng_below(r, f) : 0;
    uint32_t m = copy ? len[from] : as__synth_length(r, sh);
    if (copy) m = m + as__rng_below(r, m / 8 + 1) - m / 16;
    len[f] = m ? m : 1;
    if (!(tok[f] = malloc(len[f] * sizeof **tok))) return AS_ENOMEM;
    if (copy)
      as__synth_mutate(r, tok[from], len[from], tok[f], len[f], alphabet,
                       every);
    else
      as__synth_fill(r, tok[f], len[f], alphabet);
  }
  return 0;
}

/* The search over the family's functions in the filter's order: its block
 * and all its tasks. */
static int family_search(const family *fm, double s, as_filter_shared **shared,
                         size_t *size, as_filter_task **tasks,
                         size_t *n_tasks) {
  uint32_t *order = malloc(fm->n * sizeof *order);
  int rc =
      order ? as_filter_build_any_order((const uint32_t *const *)fm->tok,
                                        fm->len, fm->n, s, order, shared, size)
            : AS_ENOMEM;
  if (rc == 0 && (rc = as_filter_tasks(*shared, tasks, n_tasks)) < 0) {
    free(*shared);
    *shared = NULL;
  }
  free(order);
  return rc;
}

/* n tasks of the search over the fewest functions (grown a quarter at a
 * time) that has at least n, taken evenly from its list. */
static int filter_make(as_synth *s, as_rng *r, const as_synth_shape *sh,
                       uint32_t alphabet) {
  if (sh->n > UINT32_MAX / 8) return AS_EINVAL;
  double threshold = sh->min_similarity > 0 ? sh->min_similarity : 0.8;
  family fm = {0, NULL, NULL};
  as_filter_shared *shared = NULL;
  as_filter_task *all = NULL;
  size_t size = 0, count = 0;
  uint32_t want = (uint32_t)sh->n + 2;
  int rc;
  while ((rc = family_grow(&fm, r, sh, alphabet, want)) == 0 &&
         (rc = family_search(&fm, threshold, &shared, &size, &all, &count)) ==
             0 &&
         count < sh->n) {
    free(shared), free(all);
    shared = NULL, all = NULL;
    if (want > UINT32_MAX / 4) rc = AS_EINVAL;
    if (rc < 0) break;
    want += want / 4 + 2;
  }
  family_free(&fm);
  s->shared = shared;
  s->words = (uint32_t *)all;
  if (rc == 0 && !(s->offsets = malloc((sh->n + 1) * sizeof *s->offsets)))
    rc = AS_ENOMEM;
  if (rc < 0) return rc;
  for (size_t t = 0; t < sh->n; t++) all[t] = all[(uint64_t)t * count / sh->n];
  for (size_t t = 0; t <= sh->n; t++) s->offsets[t] = t * sizeof *all;
  s->batch.data = all;
  s->batch.offsets = s->offsets;
  s->batch.shared = shared;
  s->batch.shared_size = size;
  return 0;
}

static const as_builtin filter_entry = {
    .kernel = &as_kernel_filter,
    .check = filter_check,
    .gpu = 1,
    /* Per posting entry scanned and per task on one CPU thread: from
     * accelstrat-calibrate on a 2-vCPU Xeon (bench/results). The GPU's are
     * assumed until a calibration on a GPU gives real ones: an entry at an
     * eighth of a CPU thread's time (eight threads' worth), a lone task on
     * one GPU thread four times slower than on a core. */
    .rates = {.cpu_unit = 3.7,
              .cpu_task = 1400,
              .gpu_unit = 0.46,
              .gpu_task = 50,
              .gpu_lane = 15},
    /* Short, mid-sized and long functions at the plugin's threshold; a
     * task's work is bounded by its block of partners, so there is no lone
     * large task. */
    .shapes = {{3000, 8, 32, 0, 0, 0},
               {500, 100, 300, 0, 0, 0},
               {150, 1000, 3000, 0, 0, 0}},
    .n_shapes = 3,
    /* families of near-duplicate functions at threshold 0.8 */
    .workload = {0, 16, 128, 0, 10, 0},
    .make = filter_make,
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
  /* Every task is checked before any runs; one workspace serves them all. */
  if (as__check_align(b, begin, end) < 0) return AS_EINVAL;
  as_lcs_cpu_ws ws = {0};
  int rc = 0;
  for (size_t i = begin; i < end && rc == 0; i++) {
    const as_align_task *task = as__align_task(b, i);
    const uint32_t *tokens_a = (const uint32_t *)(task + 1);
    const uint32_t *tokens_b = tokens_a + task->len_a;
    as_align_out *out = as_task_output(b, i);
    rc = as__lcs_cpu(tokens_a, task->len_a, tokens_b, task->len_b, &ws,
                     &out->lcs);
    out->total = task->len_a + task->len_b;
  }
  as__lcs_cpu_ws_free(&ws);
  return rc;
}

const as_kernel as_kernel_align = {
    .name = "align",
    .version = 1,
    .out_size = sizeof(as_align_out),
    .cost = align_cost,
    .cpu = align_cpu,
};

/* An align task is a stream a of len_a tokens and a near-duplicate b of
 * len_b tokens (synth.h; every 0: b drawn independently). */
static int align_make(as_synth *s, as_rng *r, const as_synth_shape *sh,
                      uint32_t alphabet) {
  uint32_t *len = malloc((sh->n ? sh->n : 1) * 2 * sizeof *len);
  s->offsets = malloc((sh->n + 1) * sizeof *s->offsets);
  if (!len || !s->offsets) {
    free(len);
    return AS_ENOMEM;
  }
  size_t words = 0;
  for (size_t i = 0; i < sh->n; i++) {
    len[2 * i] = as__synth_length(r, sh);
    len[2 * i + 1] = as__synth_length(r, sh);
    words += len[2 * i] + len[2 * i + 1] + 2;
  }
  s->words = malloc((words ? words : 1) * sizeof *s->words);
  if (!s->words) {
    free(len);
    return AS_ENOMEM;
  }
  size_t at = 0;
  for (size_t i = 0; i < sh->n; i++) {
    s->offsets[i] = at * sizeof(uint32_t);
    uint32_t la = len[2 * i], lb = len[2 * i + 1];
    uint32_t *w = s->words + at;
    w[0] = la;
    w[1] = lb;
    as__synth_fill(r, w + 2, la, alphabet);
    as__synth_mutate(r, w + 2, la, w + 2 + la, lb, alphabet, sh->every);
    at += 2 + la + lb;
  }
  s->offsets[sh->n] = at * sizeof(uint32_t);
  free(len);
  s->batch.data = s->words;
  s->batch.offsets = s->offsets;
  return 0;
}

static const as_builtin align_entry = {
    .kernel = &as_kernel_align,
    .check = as__check_align,
    .gpu = 1,
    /* Per bit-parallel word step and per task on one CPU thread: from
     * accelstrat-calibrate with the CPU kernel of lcs_cpu.c (AVX2 compares
     * up to 256 tokens, dense rows beyond) on the 2-core EPYC CI machine:
     * 0.42 to 0.73 ns a unit and no task cost over four runs, rounded up.
     * The units follow the GPU's search, so on the CPU they overprice
     * pairs of fewer than 256 tokens (up to 2x for 8-32) and underprice
     * pairs of thousands (about 2x). The GPU's are
     * slower than an H100 measured with the GPU kernel before the
     * shared-memory one (bench/results/nvidia-h100-80gb-hbm3-2026-11-27:
     * 0.098 ns a unit, 351 ns a task, 6.5 ns a lane), so that a
     * profile-less process only moves work to a GPU when even a much
     * smaller one would win; the current GPU kernel has not run on a GPU,
     * so these assume it no faster than the one measured. */
    .rates = {.cpu_unit = 0.75,
              .cpu_task = 20,
              .gpu_unit = 0.24,
              .gpu_task = 400,
              .gpu_lane = 10},
    /* Many short pairs, mid-sized and long ones, and one long pair alone. */
    .shapes = {{8000, 8, 32, 0, 10, 0},
               {400, 100, 300, 0, 10, 0},
               {10, 1500, 2500, 0, 10, 0},
               {1, 8000, 8000, 0, 10, 0}},
    .n_shapes = 4,
    .workload = {0, 32, 512, 0, 10, 0}, /* near-duplicates */
    .make = align_make,
};

/* ---- the table ---- */

static const as_builtin *const table[] = {&filter_entry, &align_entry};
#define TABLE_SIZE (sizeof table / sizeof *table)
_Static_assert(TABLE_SIZE <= AS_BUILTIN_MAX,
               "AS_BUILTIN_MAX must hold the table");

size_t as__builtin_count(void) { return TABLE_SIZE; }

const as_builtin *as__builtin_at(size_t i) {
  return i < TABLE_SIZE ? table[i] : NULL;
}

const as_builtin *as__builtin_of(const as_kernel *k) {
  for (size_t i = 0; i < TABLE_SIZE; i++)
    if (table[i]->kernel == k) return table[i];
  return NULL;
}

const as_builtin *as__builtin_named(const char *name, size_t len) {
  for (size_t i = 0; i < TABLE_SIZE; i++) {
    const char *own = table[i]->kernel->name;
    if (strlen(own) == len && memcmp(own, name, len) == 0) return table[i];
  }
  return NULL;
}

enum { TEST_GPU_MAX = 4 };
static const as_kernel *test_gpu[TEST_GPU_MAX];

void as__kernel_test_gpu(const as_kernel *k) {
  for (int i = 0; i < TEST_GPU_MAX; i++)
    if (!test_gpu[i] || test_gpu[i] == k) {
      test_gpu[i] = k;
      return;
    }
}

int as__kernel_has_gpu(const as_kernel *k) {
  const as_builtin *e = as__builtin_of(k);
  if (e) return e->gpu;
  for (int i = 0; i < TEST_GPU_MAX && test_gpu[i]; i++)
    if (test_gpu[i] == k) return 1;
  return 0;
}
