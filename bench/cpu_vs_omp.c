/* accelstrat-bench cpu-vs-omp: strategy=cpu against a plain OpenMP loop over
 * the same kernel (the reference's "CPU-Only Performance").
 *
 * Direct: bench_direct_omp, a `#pragma omp parallel for schedule(dynamic)`
 * with one kernel->cpu call a task. accelstrat: an executor with
 * strategy=cpu and the same thread count. The direct run's output is the
 * reference; both are checked on every run. The two run interleaved (a
 * discarded warm-up each, `reps` rounds in rotated order); the overhead is
 * the median of the per-round ratios. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

enum { DIRECT, RUNTIME, VARIANTS };
static const char *const variant_names[VARIANTS] = {"direct_omp",
                                                    "accelstrat_cpu"};

typedef struct row {
  const bench_workload *w;
  double *ns;   /* ns[v * reps + round] */
  int *threads; /* the runtime's report.threads each round */
  bench_stat t[VARIANTS], ratio;
} row;

typedef struct runner {
  row *r;
  int reps, threads;
  as_executor *ex;
  const unsigned char *ref;
  int calls[VARIANTS]; /* runs so far: the first is the warm-up */
} runner;

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: accelstrat-bench cpu-vs-omp [options]\n"
      "strategy=cpu against a plain `#pragma omp parallel for\n"
      "schedule(dynamic)` calling the kernel once a task, with the same\n"
      "thread count, on the Small, Medium, Large and XL workloads (and\n"
      "--replay batches): wall time and the per-pair overhead. Both outputs\n"
      "are checked on every run; exit 1 when a run fails or they "
      "differ.\n" BENCH_OPTIONS_HELP);
}

/* The direct loop, timed, its outputs checked against ref (NULL: none). */
static int run_direct(const bench_workload *w, int threads,
                      const unsigned char *ref, double *ns) {
  const as_batch *b = &w->s.batch;
  memset(b->out, BENCH_POISON, w->out_bytes);
  const uint64_t t0 = as__now_ns();
  int rc = bench_direct_omp(b, threads);
  *ns = (double)(as__now_ns() - t0);
  if (rc) {
    fprintf(stderr,
            "accelstrat-bench cpu-vs-omp: direct OpenMP, %s, %zu tasks: %s\n",
            w->name, b->n, as_strerror(rc));
    return 1;
  }
  if (ref && memcmp(b->out, ref, w->out_bytes) != 0) {
    fprintf(
        stderr,
        "accelstrat-bench cpu-vs-omp: direct OpenMP, %s, %zu tasks: outputs "
        "differ from its first run\n",
        w->name, b->n);
    return 1;
  }
  return 0;
}

static int run_variant(void *arg, int v, double *ns) {
  runner *x = arg;
  row *r = x->r;
  const int round = x->calls[v]++ - 1; /* -1: the warm-up */
  if (v == DIRECT) return run_direct(r->w, x->threads, x->ref, ns);
  char what[96];
  snprintf(what, sizeof what, "cpu-vs-omp accelstrat cpu, %s", r->w->name);
  as_report rep;
  uint64_t wall;
  if (bench_run_checked(x->ex, &r->w->s.batch, x->ref, r->w->out_bytes, &rep,
                        &wall, what))
    return 1;
  *ns = (double)wall;
  if (round >= 0 && round < x->reps) r->threads[round] = rep.threads;
  return 0;
}

/* The reference, then the rounds. 0, 1 (said) or a negative as_errno. */
static int run_row(bench_session *s, as_executor *ex, row *r) {
  const int reps = s->opt.reps;
  const bench_workload *w = r->w;
  runner x = {.r = r, .reps = reps, .threads = bench_thread_count(s), .ex = ex};
  unsigned char *ref = malloc(w->out_bytes ? w->out_bytes : 1);
  r->ns = calloc((size_t)(VARIANTS * reps), sizeof *r->ns);
  r->threads = calloc((size_t)reps, sizeof *r->threads);
  if (!ref || !r->ns || !r->threads) {
    free(ref);
    return AS_ENOMEM;
  }
  double first;
  int rc = run_direct(w, x.threads, NULL, &first);
  if (rc == 0) {
    memcpy(ref, w->s.batch.out, w->out_bytes);
    x.ref = ref;
    rc = bench_interleave(VARIANTS, reps, run_variant, &x, r->ns);
  }
  free(ref);
  if (rc) return rc;
  for (int v = 0; v < VARIANTS; v++)
    r->t[v] = bench_stats(r->ns + v * reps, reps);
  r->ratio =
      bench_ratio_stats(r->ns + RUNTIME * reps, r->ns + DIRECT * reps, reps);
  return 0;
}

/* ---- output ---- */

static void print_row(bench_session *s, const row *r) {
  char t[VARIANTS][64], used[48];
  for (int v = 0; v < VARIANTS; v++)
    bench_fmt_stat_ms(r->t[v], t[v], sizeof t[v]);
  bench_threads_note(r->threads, s->opt.reps, bench_thread_count(s), used,
                     sizeof used);
  bench_printf(
      &s->text,
      "| %s (%zu tasks) | %s | %s%s | %+.2f%% (%+.2f%% to %+.2f%%) |\n",
      r->w->name, r->w->s.batch.n, t[DIRECT], t[RUNTIME], used,
      100 * (r->ratio.median - 1), 100 * (r->ratio.min - 1),
      100 * (r->ratio.max - 1));
}

static void json_row(bench_session *s, const row *r) {
  const int reps = s->opt.reps;
  bench_json *j = &s->json;
  as__json_object_begin(j, NULL);
  bench_workload_json(j, "workload", r->w);
  as__json_object_begin(j, "samples_ns");
  for (int v = 0; v < VARIANTS; v++)
    bench_json_samples(j, variant_names[v], r->ns + v * reps, reps);
  as__json_object_end(j);
  as__json_array_begin(j, "accelstrat_threads");
  for (int i = 0; i < reps; i++) as__json_i64(j, NULL, r->threads[i]);
  as__json_array_end(j);
  for (int v = 0; v < VARIANTS; v++) {
    char key[40];
    snprintf(key, sizeof key, "%s_ns", variant_names[v]);
    bench_json_stat(j, key, r->t[v]);
  }
  bench_json_stat(j, "ratio_accelstrat_direct", r->ratio);
  as__json_double(j, "overhead", r->ratio.median - 1);
  as__json_object_end(j);
}

static void print_notes_and_summary(bench_session *s, const row *rows, int n) {
  bench_printf(
      &s->text,
      "\nDirect OpenMP: `#pragma omp parallel for schedule(dynamic)` over the "
      "tasks, one kernel->cpu call a task, %d thread%s. accelstrat cpu: as_run "
      "of an executor with strategy=cpu and threads=%d, its wall time "
      "(selection "
      "+ execution); [N threads] when the runtime used fewer (its model runs a "
      "batch too small to pay for a team on one thread). Times in ms, median "
      "(min–max) of %d rounds, the two interleaved in rotated order after a "
      "discarded warm-up each; the direct run's output is the reference and "
      "both outputs are checked on every run. Overhead: median of the per-pair "
      "ratios accelstrat / direct − 1 (their range in parentheses). The "
      "runtime "
      "hands each thread a range of tasks at a time, a share of what is left "
      "(guided: long ranges first, single tasks last), rather than one task, "
      "so "
      "one kernel call covers several tasks and can be cheaper than the direct "
      "loop's: a negative overhead is possible and is reported as "
      "measured.%s\n",
      bench_thread_count(s), bench_thread_count(s) == 1 ? "" : "s",
      bench_thread_count(s), s->opt.reps,
      s->machine.gpu_simulated ? " The GPU (sim backend) is not used here."
                               : "");
  bench_printf(&s->text, "\n### Summary\n\n");
  double worst = NAN;
  int counted = 0;
  for (int i = 0; i < n; i++) {
    /* Medium, Large and XL: bench_workloads' 2nd to 4th (replays follow). */
    if (i < 1 || i >= BENCH_WORKLOADS) continue;
    double o = rows[i].ratio.median - 1;
    if (!counted++ || fabs(o) > fabs(worst)) worst = o;
  }
  bench_printf(&s->text, "- overhead (median per-pair ratio − 1):");
  for (int i = 0; i < n; i++)
    bench_printf(&s->text, "%s %s %+.2f%%", i ? "," : "", rows[i].w->name,
                 100 * (rows[i].ratio.median - 1));
  bench_printf(
      &s->text,
      "\n- largest in magnitude on Medium, Large and XL: %+.2f%% (target: "
      "within ±0.5%%)%s\n",
      100 * worst, s->opt.quick ? "; --quick sizes are too small to say" : "");
  as__json_object_begin(&s->json, "summary");
  as__json_double(&s->json, "overhead_medium_and_larger_max_abs", worst);
  as__json_double(&s->json, "target", 0.005);
  as__json_object_end(&s->json);
}

/* ---- the subcommand ---- */

typedef struct rows_ctx {
  as_executor *ex;
  bench_workload *w;
  row *rows;
} rows_ctx;

static int one_row(bench_session *s, int i, void *ctx) {
  rows_ctx *c = ctx;
  c->rows[i].w = &c->w[i];
  int rc = run_row(s, c->ex, &c->rows[i]);
  if (rc) return rc;
  print_row(s, &c->rows[i]);
  json_row(s, &c->rows[i]);
  return 0;
}

int bench_cpu_vs_omp(int argc, char **argv) {
  bench_session s;
  int status;
  if (!bench_begin(&s, "cpu-vs-omp", argc, argv, usage, 0, &status))
    return status;
  bench_workload *w = NULL;
  row *rows = NULL;
  as_executor *ex = NULL;
  int n = bench_workloads(&s.opt, &w), done = 0;
  if (n < 0) goto out;
  rows = calloc((size_t)n + 1, sizeof *rows);
  if (!rows || bench_executor(&s, bench_strategy(AS_STRATEGY_CPU, 0), 0,
                              AS_FAULT_NONE, 0, &ex) < 0)
    goto out;

  bench_printf(
      &s.text,
      "\n## cpu-vs-omp: strategy=cpu against a direct OpenMP loop\n\n");
  bench_printf(&s.text, "%d round%s per workload, %d thread%s for both%s\n\n",
               s.opt.reps, s.opt.reps == 1 ? "" : "s", bench_thread_count(&s),
               bench_thread_count(&s) == 1 ? "" : "s",
               s.opt.quick ? " (--quick: tiny workloads, a smoke test)" : "");
  bench_printf(
      &s.text,
      "| Workload | Direct OpenMP ms | accelstrat cpu ms | Overhead |\n");
  bench_printf(&s.text, "|---|---:|---:|---:|\n");
  fflush(stdout);
  as__json_string(
      &s.json, "time",
      "wall time in ns: the direct loop; as_run (selection + execution)");
  rows_ctx c = {ex, w, rows};
  done = bench_rows(&s, w, n, one_row, &c);
  if (done == n) {
    print_notes_and_summary(&s, rows, n);
    status = 0;
  }
out:
  for (int i = 0; rows && i < n; i++) {
    free(rows[i].ns);
    free(rows[i].threads);
  }
  free(rows);
  as_executor_destroy(ex);
  if (n > 0) bench_workloads_free(w, n);
  return bench_end(&s, status);
}
