/* accelstrat-bench kernels, the filter section: the filter kernel's speed
 * per function-length class against a memory roofline measured in the same
 * run.
 *
 * Work: a task's cost units (as_kernel_filter.cost), the posting entries of
 * its query's probing prefix, the most it can scan. Each such entry is two
 * 32-bit words (partner and place), so a task reads at most 8 bytes a unit
 * of posting data (plus the partners' lengths and, for the few that pass
 * the positional bound, their histograms) and writes its 64-byte bit set.
 * The roof: 8 bytes a unit at the read bandwidth one thread reaches over a
 * buffer the size of the batch's index (the shared block, what the tasks
 * read), and at DRAM's (a 256 MiB buffer; --quick: 16 MiB, which a
 * large last-level cache holds). The fraction is units/s x 8 B
 * over that bandwidth: how close the kernel comes to streaming every entry
 * it may scan. A task skips to its block with a binary search, so it reads
 * fewer bytes than that, and the fraction understates its memory traffic
 * and overstates nothing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "synth.h"

#define FILTER_CLASSES 3
#define BYTES_PER_UNIT 8.0

/* Families of near-duplicates of these lengths (threshold 0.8). */
static const as_synth_shape filter_class[FILTER_CLASSES] = {
    {2000, 16, 128, 0, 10, 0},
    {500, 100, 300, 0, 10, 0},
    {150, 1000, 3000, 0, 10, 0}};

/* One thread's read bandwidth over `bytes`, bytes/ns: best of `reps`
 * passes (each summing the buffer; the first discarded). */
static double read_bandwidth(size_t bytes, int reps) {
  size_t n = bytes / sizeof(uint64_t);
  if (n < 1024) n = 1024;
  uint64_t *buf = malloc(n * sizeof *buf);
  if (!buf) return 0;
  for (size_t i = 0; i < n; i++) buf[i] = i;
  /* Enough passes a round that a small buffer's round is measurable. */
  size_t passes = (size_t)1 + ((size_t)1 << 24) / n;
  double best = INFINITY;
  volatile uint64_t sink = 0;
  for (int r = 0; r <= reps; r++) {
    uint64_t start = as__now_ns(), sum = 0;
    for (size_t p = 0; p < passes; p++)
      for (size_t i = 0; i < n; i++) sum += buf[i];
    double ns = (double)(as__now_ns() - start);
    sink += sum;
    if (r > 0 && ns < best) best = ns;
  }
  free(buf);
  (void)sink;
  return best > 0 ? (double)(n * sizeof *buf) * (double)passes / best : 0;
}

typedef struct filter_row {
  as_synth s;
  double units, one_ns, all_ns, bw_index, bw_dram;
  int threads;
  as_filter_out *ref;
} filter_row;

static int one_thread(bench_session *s, filter_row *r) {
  const as_batch *b = &r->s.batch;
  r->one_ns = INFINITY;
  for (int round = 0; round <= s->opt.reps; round++) {
    uint64_t start = as__now_ns();
    int rc = as_kernel_filter.cpu(b, 0, b->n);
    double ns = (double)(as__now_ns() - start);
    if (rc < 0) {
      fprintf(stderr, "accelstrat-bench kernels: filter: %s\n",
              as_strerror(rc));
      return 1;
    }
    if (round > 0 && ns < r->one_ns) r->one_ns = ns;
  }
  r->ref = malloc(b->n * sizeof *r->ref);
  if (!r->ref) return 1;
  memcpy(r->ref, b->out, b->n * sizeof *r->ref);
  return 0;
}

static int all_threads(bench_session *s, filter_row *r) {
  return bench_best_cpu_run(
      s, &r->s.batch, r->ref, r->s.batch.n * sizeof *r->ref,
      "kernels: filter as_run strategy=cpu", &r->all_ns, &r->threads);
}

static int measure(bench_session *s, filter_row *r, int k, double bw_dram) {
  as_synth_shape shape = filter_class[k];
  if (s->opt.quick) shape.n = shape.n / 20 + 1;
  int rc = as__synth_make(&r->s, &as_kernel_filter, &shape, s->opt.seed + k);
  if (rc < 0) {
    fprintf(stderr, "accelstrat-bench kernels: filter: %s\n", as_strerror(rc));
    return 1;
  }
  const as_batch *b = &r->s.batch;
  for (size_t i = 0; i < b->n; i++)
    r->units += (double)as_kernel_filter.cost(b, i);
  fprintf(stderr, "accelstrat-bench kernels: filter %u-%u, %zu tasks\n",
          shape.min_len, shape.max_len, b->n);
  r->bw_index = read_bandwidth(b->shared_size, s->opt.reps < 3 ? 1 : 3);
  r->bw_dram = bw_dram;
  return one_thread(s, r) || all_threads(s, r);
}

static void report(bench_session *s, const filter_row *r, int k) {
  const as_synth_shape *sh = &filter_class[k];
  const double n = (double)r->s.batch.n, ups = r->units / r->one_ns * 1e9;
  const double frac_index = ups * BYTES_PER_UNIT / (r->bw_index * 1e9);
  const double frac_dram = ups * BYTES_PER_UNIT / (r->bw_dram * 1e9);
  const int t = r->threads ? r->threads : 1;
  bench_printf(&s->text,
               "| %u-%u | %zu | %.0f | %.3g | %.3g | %.1f | %.2f | %.1f%% | "
               "%.2f | %.1f%% | %.3g (%d) |\n",
               sh->min_len, sh->max_len, r->s.batch.n, r->units / n,
               n / r->one_ns * 1e9, ups, r->s.batch.shared_size / 1024.0,
               r->bw_index, 100 * frac_index, r->bw_dram, 100 * frac_dram,
               r->units / r->all_ns * 1e9 / t, t);
  bench_json *j = &s->json;
  as__json_object_begin(j, NULL);
  as__json_u64(j, "min_len", sh->min_len);
  as__json_u64(j, "max_len", sh->max_len);
  as__json_u64(j, "tasks", r->s.batch.n);
  as__json_double(j, "units", r->units);
  as__json_u64(j, "index_bytes", r->s.batch.shared_size);
  as__json_double(j, "one_thread_ns", r->one_ns);
  as__json_double(j, "units_per_s", ups);
  as__json_double(j, "read_gbs_index_size", r->bw_index);
  as__json_double(j, "read_gbs_dram", r->bw_dram);
  as__json_double(j, "roofline_fraction_index_size", frac_index);
  as__json_double(j, "roofline_fraction_dram", frac_dram);
  as__json_i64(j, "all_threads", r->threads);
  as__json_double(j, "all_threads_ns", r->all_ns);
  as__json_object_end(j);
}

int bench_kernels_filter(bench_session *s) {
  const size_t dram = s->opt.quick ? (size_t)1 << 24 : (size_t)1 << 28;
  bench_printf(
      &s->text,
      "\n## kernels: filter per function length, against its memory "
      "roofline\n\nOne thread unless said, best of %d rounds; families of "
      "near-duplicates at threshold 0.8. Units: posting entries of the "
      "task's probing prefix (its cost), 8 bytes each at most. Roof: one "
      "thread's read bandwidth over a buffer the size of the index, and over "
      "%zu MiB (DRAM; --quick: in cache); fraction: units/s x 8 B over "
      "it.\n\n"
      "| lengths | tasks | units a task | tasks/s | units/s | index KiB | "
      "read GB/s, index size | of roof | read GB/s, DRAM | of roof | as_run "
      "units/s per core (threads) |\n"
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
      s->opt.reps, dram >> 20);
  double bw_dram = read_bandwidth(dram, s->opt.quick ? 1 : 3);
  as__json_array_begin(&s->json, "filter_cells");
  int failed = 0;
  for (int k = 0; k < FILTER_CLASSES && !failed; k++) {
    filter_row r;
    memset(&r, 0, sizeof r);
    failed = measure(s, &r, k, bw_dram);
    if (!failed) report(s, &r, k);
    as__synth_free(&r.s);
    free(r.ref);
  }
  as__json_array_end(&s->json);
  return failed;
}
