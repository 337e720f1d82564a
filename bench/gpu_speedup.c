/* accelstrat-bench gpu-speedup: strategy=gpu against strategy=cpu on the
 * reference's workloads (its section 3, "GPU-Only Performance").
 *
 * Per workload: one discarded warm-up run of each strategy (cpu first: its
 * outputs are the reference), then `reps` rounds of one cpu and one gpu
 * run in an order rotated each round. A time is the wall time of as_run
 * (selection + execution); the speedup is the median of the per-round
 * ratios cpu/gpu. Every run's outputs must equal the cpu warm-up's. The
 * machine probe created the GPU context before the first run here, so no
 * time includes the GPU's cold start. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

enum { CPU, GPU, VARIANTS };

/* One workload's rounds. */
typedef struct row {
  const bench_workload *w;
  int variants;  /* 1: cpu only (no usable GPU) */
  int fallbacks; /* timed gpu runs with fallback events */
  int reps;
  double *ns;         /* ns[v * reps + round] */
  uint64_t gpu_tasks; /* tasks the GPU ran over the timed gpu runs */
  int cpu_threads[2]; /* fewest and most threads the timed cpu runs used */
  bench_stat st[VARIANTS], speedup;
} row;

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: accelstrat-bench gpu-speedup [options]\n"
      "strategy=gpu against strategy=cpu on the reference workloads (Small 5,\n"
      "Medium 100, Large 1000, XL 10000 align tasks; --quick: tiny ones) and\n"
      "any --replay batches: median time of each and the median per-round\n"
      "speedup cpu/gpu. Without a usable GPU (ACCELSTRAT_GPU) only cpu is\n"
      "measured. Exit 1 when a run fails or its outputs differ from "
      "cpu's.\n" BENCH_OPTIONS_HELP);
}

static void on_run(void *arg, int v, int round, const as_report *rep) {
  row *r = arg;
  if (round < 0) return; /* the warm-up */
  if (v == GPU) {
    r->fallbacks += rep->n_events > 0;
    r->gpu_tasks += rep->tasks_on[AS_DEVICE_GPU];
  } else {
    /* The cpu strategy takes fewer threads where the model says more do
     * not pay: worth knowing next to the sim's one thread. */
    if (!r->cpu_threads[1] || rep->threads < r->cpu_threads[0])
      r->cpu_threads[0] = rep->threads;
    if (rep->threads > r->cpu_threads[1]) r->cpu_threads[1] = rep->threads;
  }
}

static int run_row(row *r, as_executor *const *ex) {
  r->ns = calloc((size_t)(VARIANTS * r->reps), sizeof *r->ns);
  if (!r->ns) {
    fprintf(stderr, "accelstrat-bench gpu-speedup: out of memory\n");
    return 1;
  }
  const bench_versus vs = {
      r->w, ex, r->variants, r->reps, NULL, "gpu-speedup", on_run, r};
  int rc = bench_versus_run(&vs, r->ns);
  if (rc) return rc;
  for (int v = 0; v < r->variants; v++)
    r->st[v] = bench_stats(&r->ns[v * r->reps], r->reps);
  if (r->variants > GPU)
    r->speedup = bench_ratio_stats(&r->ns[CPU * r->reps], &r->ns[GPU * r->reps],
                                   r->reps);
  return 0;
}

static void print_row(bench_session *s, const row *r) {
  char cpu[64], gpu[96], sp[64], th[24];
  bench_fmt_stat_ms(r->st[CPU], cpu, sizeof cpu);
  bench_fmt_gpu_cells(r->variants > GPU, r->st[GPU], r->fallbacks, r->reps,
                      r->speedup, gpu, sizeof gpu, sp, sizeof sp);
  if (r->cpu_threads[0] == r->cpu_threads[1])
    snprintf(th, sizeof th, "%d", r->cpu_threads[0]);
  else
    snprintf(th, sizeof th, "%d–%d", r->cpu_threads[0], r->cpu_threads[1]);
  bench_printf(&s->text, "| %s (%zu tasks) | %s | %s | %s | %s |\n", r->w->name,
               r->w->s.batch.n, cpu, gpu, sp, th);
}

static void json_row(bench_json *j, const row *r) {
  as__json_object_begin(j, NULL);
  bench_workload_json(j, "workload", r->w);
  as__json_object_begin(j, "samples_ns");
  bench_json_samples(j, "cpu", &r->ns[CPU * r->reps], r->reps);
  if (r->variants > GPU)
    bench_json_samples(j, "gpu", &r->ns[GPU * r->reps], r->reps);
  as__json_object_end(j);
  as__json_i64(j, "cpu_threads_min", r->cpu_threads[0]);
  as__json_i64(j, "cpu_threads_max", r->cpu_threads[1]);
  bench_json_stat(j, "cpu_ns", r->st[CPU]);
  if (r->variants > GPU) {
    bench_json_stat(j, "gpu_ns", r->st[GPU]);
    bench_json_stat(j, "speedup", r->speedup);
    as__json_i64(j, "gpu_fallback_runs", r->fallbacks);
    as__json_u64(j, "gpu_tasks_on_gpu", r->gpu_tasks);
  } else {
    as__json_null(j, "gpu_ns");
    as__json_null(j, "speedup");
  }
  as__json_object_end(j);
}

static void print_header(bench_session *s, int gpu) {
  const bench_machine *m = &s->machine;
  bench_printf(&s->text,
               "\n## gpu-speedup: strategy=gpu against strategy=cpu\n\n");
  if (gpu && m->gpu_simulated)
    bench_printf(
        &s->text,
        "**sim backend: the \"GPU\" below is host code on one thread standing "
        "in for a GPU; these are not GPU numbers.**\n\n");
  if (!gpu)
    bench_printf(&s->text,
                 "**GPU not measured: %s.** Only the CPU baseline is.\n\n",
                 m->gpu_why);
  bench_printf(
      &s->text,
      "Method: per workload one warm-up run of each strategy, then %d "
      "round%s of one cpu and one gpu run in an order rotated each round; "
      "%d CPU thread%s; outputs checked against cpu's in every run.%s\n\n",
      s->opt.reps, s->opt.reps == 1 ? "" : "s", m->threads,
      m->threads == 1 ? "" : "s",
      s->opt.quick ? " --quick: tiny workloads." : "");
  bench_printf(
      &s->text,
      "| Workload | CPU Baseline (ms) | %s (ms) | Speedup | cpu threads |\n",
      !gpu               ? "GPU-Only"
      : m->gpu_simulated ? "Sim-Only (not a GPU)"
                         : "GPU-Only");
  bench_printf(&s->text, "|---|---:|---:|---:|---:|\n");
}

/* Ratios within this of 1 are called even: the rounds' spread is larger. */
#define NOISE 0.05

static const char *verdict(double ratio) {
  return ratio > 1 + NOISE   ? "faster"
         : ratio < 1 - NOISE ? "slower"
                             : "even (within 5%)";
}

/* The first workload from which the gpu strategy is faster beyond noise in
 * every later synthetic one too; -1: none. */
static int gpu_wins_from(const row *rows, int n) {
  int from = -1;
  for (int i = 0; i < n && i < BENCH_WORKLOADS; i++) {
    if (rows[i].speedup.median > 1 + NOISE) {
      if (from < 0) from = i;
    } else {
      from = -1;
    }
  }
  return from;
}

static void print_notes(bench_session *s, const row *rows, int n, int gpu) {
  const bench_machine *m = &s->machine;
  int fell = 0;
  for (int i = 0; i < n; i++) fell |= rows[i].fallbacks > 0;
  const char *dev = m->gpu_simulated ? "sim backend" : "GPU";
  bench_printf(
      &s->text,
      "\nTimes: wall time of as_run (strategy selection + execution), median "
      "(min–max) over the rounds, ms. Speedup: median (min–max) of the "
      "per-round ratios cpu time / gpu time (above 1: the gpu strategy was "
      "faster). cpu threads: what the cpu strategy's timed runs used (it "
      "takes one where the model says more do not pay).");
  if (gpu)
    bench_printf(
        &s->text,
        " The %s's context was created by the machine probe before any run "
        "here: its cold start is excluded from every time (warm numbers; a "
        "process's first batch on it pays that once).",
        dev);
  bench_printf(
      &s->text, "%s\n",
      fell ? " †: n/N timed gpu runs fell back to the CPU (their events are in "
             "the JSON); those times are not GPU-only."
           : "");
  if (gpu && m->gpu_simulated)
    bench_printf(
        &s->text,
        "The sim backend runs the kernels' host code on the one thread that "
        "drives it, so its column measures one host thread against the cpu "
        "strategy's threads: it says nothing about a GPU.\n");
  bench_printf(&s->text, "\n### Summary\n\n");
  if (!gpu) {
    bench_printf(&s->text, "- GPU not measured (%s); CPU baseline only\n",
                 m->gpu_why);
    return;
  }
  dev = m->gpu_simulated ? "sim" : "GPU";
  int best = 0;
  for (int i = 0; i < n; i++) {
    if (rows[i].speedup.median > rows[best].speedup.median) best = i;
    bench_printf(&s->text, "- %s: %s %.2fx the cpu strategy's speed: %s\n",
                 rows[i].w->name, dev, rows[i].speedup.median,
                 verdict(rows[i].speedup.median));
  }
  bench_printf(&s->text, "- best: %.2fx on %s\n", rows[best].speedup.median,
               rows[best].w->name);
  int from = gpu_wins_from(rows, n);
  if (from < 0)
    bench_printf(&s->text,
                 "- %s not faster than cpu beyond 5%% on the largest reference "
                 "workload\n",
                 dev);
  else
    bench_printf(&s->text,
                 "- %s faster than cpu beyond 5%% from %s (%zu tasks) up\n",
                 dev, rows[from].w->name, rows[from].w->s.batch.n);
  if (fell)
    bench_printf(&s->text, "- some gpu runs fell back (†): see the JSON\n");
}

static void json_summary(bench_json *j, const row *rows, int n, int gpu) {
  as__json_object_begin(j, "summary");
  int best = 0, from = gpu ? gpu_wins_from(rows, n) : -1;
  for (int i = 0; i < n; i++)
    if (rows[i].speedup.median > rows[best].speedup.median) best = i;
  if (gpu && n > 0) {
    as__json_string(j, "best_workload", rows[best].w->name);
    as__json_double(j, "best_speedup", rows[best].speedup.median);
  } else {
    as__json_null(j, "best_workload");
    as__json_null(j, "best_speedup");
  }
  if (from >= 0)
    as__json_string(j, "gpu_faster_from", rows[from].w->name);
  else
    as__json_null(j, "gpu_faster_from");
  as__json_double(j, "noise", NOISE);
  as__json_object_end(j);
}

typedef struct rows_ctx {
  as_executor **ex;
  bench_workload *w;
  row *rows;
  int gpu;
} rows_ctx;

static int one_row(bench_session *s, int i, void *ctx) {
  rows_ctx *c = ctx;
  row *r = &c->rows[i];
  r->w = &c->w[i];
  r->variants = c->gpu ? VARIANTS : 1;
  r->reps = s->opt.reps;
  int rc = run_row(r, c->ex);
  if (rc) return rc;
  print_row(s, r);
  json_row(&s->json, r);
  return 0;
}

int bench_gpu_speedup(int argc, char **argv) {
  bench_session s;
  int status;
  if (!bench_begin(&s, "gpu-speedup", argc, argv, usage, 0, &status))
    return status;
  status = 1;
  as_executor *ex[VARIANTS] = {NULL, NULL};
  bench_workload *w = NULL;
  row *rows = NULL;
  const int gpu = s.machine.gpu_usable;
  int n = bench_workloads(&s.opt, &w);
  if (n < 0) goto done;
  rows = calloc((size_t)n, sizeof *rows);
  if (!rows) goto done;
  if (bench_executor(&s, bench_strategy(AS_STRATEGY_CPU, 0), 0, AS_FAULT_NONE,
                     0, &ex[CPU]) < 0)
    goto done;
  if (gpu && bench_executor(&s, bench_strategy(AS_STRATEGY_GPU, 0), 0,
                            AS_FAULT_NONE, 0, &ex[GPU]) < 0)
    goto done;

  print_header(&s, gpu);
  fflush(stdout);
  as__json_string(&s.json, "time",
                  "wall time of as_run (selection + execution), ns");
  as__json_bool(&s.json, "gpu_measured", gpu);
  as__json_bool(&s.json, "gpu_cold_start_excluded", gpu);
  rows_ctx c = {ex, w, rows, gpu};
  int i = bench_rows(&s, w, n, one_row, &c);
  if (i == n) {
    print_notes(&s, rows, n, gpu);
    json_summary(&s.json, rows, n, gpu);
    status = 0;
  }
done:
  for (int k = 0; rows && k < n; k++) free(rows[k].ns);
  free(rows);
  if (n > 0) bench_workloads_free(w, n);
  for (int v = 0; v < VARIANTS; v++) as_executor_destroy(ex[v]);
  return bench_end(&s, status);
}
