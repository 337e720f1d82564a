/* accelstrat-bench hybrid: the Large workload under cpu, gpu, dynamic
 * hybrid and hybrid:F for F = 0, 0.1, ..., 1 (the reference's section 4,
 * "Hybrid Execution Performance", whose 70/30 and 50/50 rows are hybrid:0.7
 * and hybrid:0.5).
 *
 * One discarded warm-up run of every mode (cpu first: its outputs are the
 * reference), then `reps` rounds in which every mode runs once, in an order
 * rotated each round. A time is the wall time of as_run (selection +
 * execution); speedups are medians of per-round ratios, so that a slow
 * round slows both sides of a ratio. Every run's outputs must equal the
 * cpu warm-up's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

enum { CPU, GPU, DYNAMIC, FIXED, MAX_MODES = FIXED + 11 };

typedef struct mode {
  char name[48]; /* the table's */
  as_strategy st;
  as_executor *ex;
  int fallbacks; /* timed runs with fallback events */
  double *share; /* GPU's share of the tasks per round */
  bench_stat time, speedup, gpu_share;
} mode;

typedef struct context {
  bench_session s;
  const bench_workload *w;
  mode m[MAX_MODES];
  int n; /* modes measured */
  int reps;
  double *ns; /* ns[mode * reps + round] */
} context;

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: accelstrat-bench hybrid [options]\n"
      "The Large workload (1000 align tasks; --quick: 16 short ones) under\n"
      "strategy cpu, gpu, hybrid (dynamic) and hybrid:F for F = 0, 0.1, ..., "
      "1\n"
      "(--quick: 0, 0.5, 1), all interleaved: median time, speedup against "
      "cpu\n"
      "and the GPU's share of the tasks; with --out the plot hybrid (time\n"
      "against F). Without a usable GPU (ACCELSTRAT_GPU) only cpu is "
      "measured.\n"
      "Exit 1 when a run fails or its outputs differ from cpu's.\n"
      "--replay does not apply: synthetic batches only.\n" BENCH_OPTIONS_HELP);
}

static void add_mode(context *c, const char *name, as_strategy_kind k,
                     double f) {
  mode *m = &c->m[c->n++];
  snprintf(m->name, sizeof m->name, "%s", name);
  m->st = bench_strategy(k, f);
}

/* cpu; and gpu, dynamic and the static sweep when the GPU is usable. */
static void plan(context *c, int gpu, int quick) {
  const int sim = c->s.machine.gpu_simulated;
  add_mode(c, "CPU-Only", AS_STRATEGY_CPU, 0);
  if (!gpu) return;
  add_mode(c, sim ? "Sim-Only (not a GPU)" : "GPU-Only", AS_STRATEGY_GPU, 0);
  add_mode(c, "Dynamic hybrid", AS_STRATEGY_HYBRID, 0);
  const int steps = quick ? 2 : 10;
  for (int i = 0; i <= steps; i++) {
    double f = (double)i / steps;
    char name[48];
    snprintf(name, sizeof name, "Hybrid %.0f/%.0f (hybrid:%.1f)", 100 * f,
             100 - 100 * f, f);
    add_mode(c, name, AS_STRATEGY_HYBRID_STATIC, f);
  }
}

static void on_run(void *arg, int v, int round, const as_report *rep) {
  context *c = arg;
  mode *m = &c->m[v];
  if (round < 0) return; /* the warm-up */
  const size_t n = c->w->s.batch.n;
  m->fallbacks += rep->n_events > 0;
  m->share[round] = n ? (double)rep->tasks_on[AS_DEVICE_GPU] / (double)n : 0;
}

static int measure(context *c) {
  c->ns = calloc((size_t)(c->n * c->reps), sizeof *c->ns);
  int rc = c->ns ? 0 : AS_ENOMEM;
  as_executor *ex[MAX_MODES];
  for (int v = 0; rc == 0 && v < c->n; v++) {
    if (!(c->m[v].share = calloc((size_t)c->reps, sizeof(double))))
      rc = AS_ENOMEM;
    else
      rc = bench_executor(&c->s, c->m[v].st, 0, AS_FAULT_NONE, 0, &c->m[v].ex);
    ex[v] = c->m[v].ex;
  }
  if (rc == AS_ENOMEM)
    fprintf(stderr, "accelstrat-bench hybrid: out of memory\n");
  if (rc < 0) return 1;
  /* cpu is mode 0: its warm-up's outputs are the reference. */
  const bench_versus vs = {c->w, ex, c->n, c->reps, NULL, "hybrid", on_run, c};
  if (bench_versus_run(&vs, c->ns)) return 1;
  const double *cpu = &c->ns[CPU * c->reps];
  for (int v = 0; v < c->n; v++) {
    mode *m = &c->m[v];
    m->time = bench_stats(&c->ns[v * c->reps], c->reps);
    m->speedup = bench_ratio_stats(cpu, &c->ns[v * c->reps], c->reps);
    m->gpu_share = bench_stats(m->share, c->reps);
  }
  return 0;
}

static void print_table(context *c, int gpu) {
  bench_text *t = &c->s.text;
  const bench_machine *mc = &c->s.machine;
  bench_printf(t,
               "\n## hybrid: Hybrid Execution Performance (%s, %zu tasks)\n\n",
               c->w->name, c->w->s.batch.n);
  if (gpu && mc->gpu_simulated)
    bench_printf(
        t, "**sim backend: the \"GPU\" in every mode below is host code on one "
           "thread standing in for a GPU; these are not GPU numbers.**\n\n");
  if (!gpu)
    bench_printf(
        t,
        "**GPU not measured: %s.** Only CPU-Only is; gpu and the hybrids "
        "need a usable GPU.\n\n",
        mc->gpu_why);
  bench_printf(
      t,
      "Method: %s; one warm-up run of each mode, then %d round%s in which "
      "every mode runs once, in an order rotated each round; %d thread%s per "
      "executor; outputs checked against cpu's in every run.\n\n",
      c->w->source, c->reps, c->reps == 1 ? "" : "s", mc->threads,
      mc->threads == 1 ? "" : "s");
  bench_printf(
      t,
      "| Mode | Execution Time (ms) | Speedup vs CPU | %s share of tasks |\n",
      gpu && mc->gpu_simulated ? "Sim" : "GPU");
  bench_printf(t, "|---|---:|---:|---:|\n");
  for (int v = 0; v < c->n; v++) {
    const mode *m = &c->m[v];
    char tm[64], sp[64];
    bench_fmt_stat_ms(m->time, tm, sizeof tm);
    bench_printf(t, "| %s | %s%s | %s | %.0f%% |\n", m->name, tm,
                 m->fallbacks ? " †" : "",
                 bench_fmt_ratio(m->speedup, sp, sizeof sp),
                 100 * m->gpu_share.median);
  }
  bench_printf(
      t,
      "\nExecution Time: wall time of as_run (selection + execution), median "
      "(min–max) over the rounds. Speedup vs CPU: median (min–max) of the "
      "per-round ratios CPU-Only time / this mode's time. Hybrid G/C: G%% of "
      "the work to the GPU, C%% to the CPU. GPU share of tasks: "
      "median over the rounds of the report's tasks_on[gpu] / tasks; hybrid:F "
      "gives the GPU the first tasks holding fraction F of the work (the "
      "kernel's cost), so its share of tasks is near F but not equal to it, "
      "and dynamic hybrid's share is what the GPU claimed from the shared "
      "queue.%s%s\n",
      gpu ? " In every hybrid mode one of the executor's threads drives the "
            "GPU "
            "(and joins the CPU work once its part is done); the GPU context "
            "was created by the machine probe, before any run here."
          : "",
      gpu && mc->gpu_simulated
          ? " On the sim backend that driving thread also runs the \"GPU's\" "
            "kernels on the host, so the hybrids share the same CPUs."
          : "");
  int fell = 0;
  for (int v = 0; v < c->n; v++) fell |= c->m[v].fallbacks > 0;
  if (fell)
    bench_printf(
        t, "†: some timed runs fell back to the CPU (events in the JSON).\n");
}

/* The static mode of fraction f, or -1 when the sweep does not have it. */
static int fixed_mode(const context *c, double f) {
  for (int v = FIXED; v < c->n; v++)
    if (fabs(c->m[v].st.gpu_fraction - f) < 1e-9) return v;
  return -1;
}

static void summary(context *c, int gpu) {
  bench_text *t = &c->s.text;
  bench_json *j = &c->s.json;
  const char *dev = c->s.machine.gpu_simulated ? "sim" : "GPU";
  char ms[24];
  bench_printf(t, "\n### Summary\n\n");
  as__json_object_begin(j, "summary");
  if (!gpu) {
    bench_printf(t, "- GPU not measured (%s): CPU-Only %s ms, no hybrid\n",
                 c->s.machine.gpu_why,
                 bench_fmt_ms(c->m[CPU].time.median, ms, sizeof ms));
    as__json_null(j, "best_fraction");
    as__json_object_end(j);
    return;
  }
  int best = FIXED;
  for (int v = FIXED; v < c->n; v++)
    if (c->m[v].time.median < c->m[best].time.median) best = v;
  bench_printf(t, "- best static split: hybrid:%.1f, %s ms, %.2fx cpu\n",
               c->m[best].st.gpu_fraction,
               bench_fmt_ms(c->m[best].time.median, ms, sizeof ms),
               c->m[best].speedup.median);
  /* Dynamic hybrid against the faster single device of the same round. */
  double *ratio = malloc((size_t)c->reps * sizeof *ratio);
  int slower = 0, beyond = 0, cpu_faster = 0;
  double worst = 0;
  for (int r = 0; ratio && r < c->reps; r++) {
    double single = fmin(c->ns[CPU * c->reps + r], c->ns[GPU * c->reps + r]);
    cpu_faster += c->ns[CPU * c->reps + r] <= c->ns[GPU * c->reps + r];
    ratio[r] = c->ns[DYNAMIC * c->reps + r] / single;
    slower += ratio[r] > 1;
    beyond += ratio[r] > 1.05;
    if (ratio[r] - 1 > worst) worst = ratio[r] - 1;
  }
  bench_stat dyn =
      ratio ? bench_stats(ratio, c->reps) : (bench_stat){NAN, NAN, NAN};
  free(ratio);
  bench_printf(
      t,
      "- dynamic hybrid / faster single device of the same round (cpu in %d "
      "rounds, %s in %d): %.2fx (%.2f–%.2f); target \"never slower than the "
      "faster single device\": %s (slower in %d of %d rounds, %d by more than "
      "5%%; worst +%.1f%%)\n",
      cpu_faster, dev, c->reps - cpu_faster, dyn.median, dyn.min, dyn.max,
      slower ? "not met" : "met", slower, c->reps, beyond, 100 * worst);
  const double refs[2] = {0.7, 0.5};
  for (int i = 0; i < 2; i++) {
    int v = fixed_mode(c, refs[i]);
    if (v < 0)
      bench_printf(t, "- %.0f/%.0f: not in the --quick sweep\n", 100 * refs[i],
                   100 - 100 * refs[i]);
    else
      bench_printf(
          t,
          "- %.0f/%.0f (hybrid:%.1f): %s ms, %.2fx cpu, %s ran %.0f%% of the "
          "tasks\n",
          100 * refs[i], 100 - 100 * refs[i], refs[i],
          bench_fmt_ms(c->m[v].time.median, ms, sizeof ms),
          c->m[v].speedup.median, dev, 100 * c->m[v].gpu_share.median);
  }
  as__json_double(j, "best_fraction", c->m[best].st.gpu_fraction);
  bench_json_stat(j, "dynamic_over_faster_single", dyn);
  as__json_i64(j, "dynamic_slower_rounds", slower);
  as__json_i64(j, "dynamic_slower_beyond_5pct_rounds", beyond);
  as__json_double(j, "dynamic_worst_excess", worst);
  as__json_bool(j, "target_met", !slower);
  as__json_object_end(j);
}

static int plot(context *c) {
  double fx[MAX_MODES], fy[MAX_MODES];
  int n = 0;
  for (int v = FIXED; v < c->n; v++, n++) {
    fx[n] = c->m[v].st.gpu_fraction;
    fy[n] = c->m[v].time.median / 1e6;
  }
  static const double ends[2] = {0, 1};
  double line[3][2];
  bench_series s[4];
  int k = 0;
  if (n) s[k++] = (bench_series){"hybrid:F (static split)", fx, fy, n};
  for (int v = CPU; v < FIXED && v < c->n; v++) {
    line[v][0] = line[v][1] = c->m[v].time.median / 1e6;
    s[k++] = (bench_series){c->m[v].name, ends, line[v], 2};
  }
  return bench_plot(&c->s, "hybrid",
                    "Large workload: time against the GPU's work fraction F",
                    "F (fraction of the work given to the GPU)",
                    "time (ms, median)", 0, s, k);
}

static void write_json(context *c, int gpu) {
  bench_json *j = &c->s.json;
  char st[32];
  as__json_string(j, "time", "wall time of as_run (selection + execution), ns");
  as__json_bool(j, "gpu_measured", gpu);
  bench_workload_json(j, "workload", c->w);
  as__json_array_begin(j, "modes");
  for (int v = 0; v < c->n; v++) {
    const mode *m = &c->m[v];
    as__json_object_begin(j, NULL);
    as__json_string(j, "mode", m->name);
    as__json_string(j, "strategy", as_strategy_format(m->st, st, sizeof st));
    bench_json_samples(j, "samples_ns", &c->ns[v * c->reps], c->reps);
    as__json_array_begin(j, "gpu_share_of_tasks");
    for (int r = 0; r < c->reps; r++) as__json_double(j, NULL, m->share[r]);
    as__json_array_end(j);
    bench_json_stat(j, "time_ns", m->time);
    bench_json_stat(j, "speedup_vs_cpu", m->speedup);
    as__json_i64(j, "fallback_runs", m->fallbacks);
    as__json_object_end(j);
  }
  as__json_array_end(j);
}

int bench_hybrid(int argc, char **argv) {
  context c;
  memset(&c, 0, sizeof c);
  int status;
  if (!bench_begin(&c.s, "hybrid", argc, argv, usage, 0, &status))
    return status;
  status = 1;
  const int gpu = c.s.machine.gpu_usable;
  c.reps = c.s.opt.reps;
  /* The reference's Large workload, never a replayed batch. */
  bench_workload w;
  int made = bench_workload_reference(&w, BENCH_LARGE, &c.s.opt) == 0;
  if (!made) goto done;
  c.w = &w;
  plan(&c, gpu, c.s.opt.quick);
  if (measure(&c)) goto done;
  print_table(&c, gpu);
  summary(&c, gpu);
  write_json(&c, gpu);
  status = plot(&c) < 0 ? 1 : 0;
done:
  for (int v = 0; v < c.n; v++) {
    as_executor_destroy(c.m[v].ex);
    free(c.m[v].share);
  }
  free(c.ns);
  if (made) as__synth_free(&w.s);
  return bench_end(&c.s, status);
}
