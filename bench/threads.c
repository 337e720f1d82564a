/* accelstrat-bench threads: strategy=cpu at 1, 2, 4, ... threads up to the
 * usable CPUs, and at twice them (the reference's "CPU Core Scaling").
 *
 * Workload: Large (1000 align tasks; --quick: its tiny version). One
 * executor with strategy=cpu per thread count; every count is a variant of
 * the same interleaved rounds (a discarded warm-up each, then `reps` rounds
 * in rotated order), its outputs checked against a strategy=cpu run's. A
 * time is as_run's wall time. Speedup: median(1 thread) / median(t). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define MAX_COUNTS 24

typedef struct context {
  bench_session *s;
  const bench_workload *w;
  const unsigned char *ref;
  int n;                 /* thread counts */
  int count[MAX_COUNTS]; /* threads asked */
  as_executor *ex[MAX_COUNTS];
  int *used;  /* report.threads, used[v * reps + round] */
  double *ns; /* ns[v * reps + round] */
} context;

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: accelstrat-bench threads [options]\n"
      "strategy=cpu on the Large workload (1000 align tasks) at 1, 2, 4, ...\n"
      "threads up to the usable CPUs (or --threads N), the count itself, and\n"
      "twice it: time, speedup over 1 thread and efficiency (speedup /\n"
      "threads); with --out also DIR/threads.png (speedup against ideal).\n"
      "Outputs are checked on every run; exit 1 when a run fails or "
      "differs.\n" BENCH_OPTIONS_HELP);
}

static void on_run(void *arg, int v, int round, const as_report *rep) {
  context *c = arg;
  if (round >= 0) c->used[v * c->s->opt.reps + round] = rep->threads;
}

/* 1, 2, 4, ... below top, top, then 2 × top. */
static int thread_counts(int top, int *count) {
  int n = 0;
  for (int t = 1; t < top && n < MAX_COUNTS - 2; t *= 2) count[n++] = t;
  count[n++] = top;
  count[n++] = 2 * top;
  return n;
}

static void print_table(context *c, double *speedup, double *threads_x) {
  bench_session *s = c->s;
  const int reps = s->opt.reps, top = c->count[c->n - 2];
  const double *one = c->ns; /* 1 thread: the first variant */
  bench_printf(
      &s->text,
      "| Threads | Time (%zu tasks) ms | Speedup | per-round speedup | "
      "Efficiency | threads used |\n",
      c->w->s.batch.n);
  bench_printf(&s->text, "|---:|---:|---:|---:|---:|---:|\n");
  for (int v = 0; v < c->n; v++) {
    const double *t = c->ns + v * reps;
    char time[64], used[32];
    bench_stat st = bench_stats(t, reps), r = bench_ratio_stats(one, t, reps);
    speedup[v] = bench_median(one, reps) / st.median;
    threads_x[v] = c->count[v];
    int lo = c->used[v * reps], hi = lo;
    for (int i = 1; i < reps; i++) {
      int u = c->used[v * reps + i];
      lo = u < lo ? u : lo;
      hi = u > hi ? u : hi;
    }
    if (lo == hi)
      snprintf(used, sizeof used, "%d", lo);
    else
      snprintf(used, sizeof used, "%d–%d", lo, hi);
    bench_printf(&s->text, "| %d%s | %s | %.2fx | %.2f–%.2fx | %.1f%% | %s |\n",
                 c->count[v], c->count[v] > top ? " (2× CPUs)" : "",
                 bench_fmt_stat_ms(st, time, sizeof time), speedup[v], r.min,
                 r.max, 100 * speedup[v] / c->count[v], used);

    bench_json *j = &s->json;
    as__json_object_begin(j, NULL);
    as__json_i64(j, "threads", c->count[v]);
    bench_json_samples(j, "samples_ns", t, reps);
    as__json_array_begin(j, "threads_used");
    for (int i = 0; i < reps; i++) as__json_i64(j, NULL, c->used[v * reps + i]);
    as__json_array_end(j);
    bench_json_stat(j, "time_ns", st);
    as__json_double(j, "speedup", speedup[v]);
    bench_json_stat(j, "speedup_per_round", r);
    as__json_double(j, "efficiency", speedup[v] / c->count[v]);
    as__json_object_end(j);
  }
}

static void print_notes(context *c, const double *speedup) {
  bench_session *s = c->s;
  const int top = c->count[c->n - 2];
  const double eff = speedup[c->n - 2] / top;
  bench_printf(
      &s->text,
      "\nTime: wall time of as_run (selection + execution) with strategy=cpu "
      "and "
      "threads=N, median (min–max) of %d rounds; all thread counts run in "
      "every "
      "round, in an order rotated each round, after a discarded warm-up each; "
      "outputs checked against a strategy=cpu run every time. Speedup: "
      "median(1 thread) / median(N); per-round speedup: the range of the same "
      "ratio within each round. Efficiency: speedup / N. threads used: the "
      "report's threads, what the runtime ran: it never runs more threads than "
      "the usable CPUs (affinity, cgroup quota), so the 2× row asks for "
      "oversubscription and measures that cap, and its model may run a batch "
      "too small to pay for a team on one thread.%s\n",
      s->opt.reps,
      s->machine.gpu_simulated ? " The GPU (sim backend) is not used here."
                               : "");
  bench_printf(&s->text, "\n### Summary\n\n");
  bench_printf(
      &s->text,
      "- speedup at %d thread%s (the %s): %.2fx, efficiency %.1f%% (target: "
      "above 90%%)%s\n",
      top, top == 1 ? "" : "s",
      top == s->machine.usable_cpus ? "usable CPUs" : "--threads count",
      speedup[c->n - 2], 100 * eff,
      s->opt.quick ? "; --quick: too small a workload to say" : "");
  bench_printf(&s->text, "- at %d threads (2×): %.2fx\n", c->count[c->n - 1],
               speedup[c->n - 1]);
  as__json_object_begin(&s->json, "summary");
  as__json_i64(&s->json, "core_count", top);
  as__json_double(&s->json, "speedup_at_core_count", speedup[c->n - 2]);
  as__json_double(&s->json, "efficiency_at_core_count", eff);
  as__json_double(&s->json, "target", 0.9);
  as__json_object_end(&s->json);
}

/* ---- the subcommand ---- */

int bench_threads(int argc, char **argv) {
  bench_session s;
  int status;
  if (!bench_begin(&s, "threads", argc, argv, usage, 0, &status)) return status;
  context c;
  memset(&c, 0, sizeof c);
  c.s = &s;
  bench_workload w; /* the reference's Large, never a replayed batch */
  unsigned char *ref = NULL;
  int made = bench_workload_reference(&w, BENCH_LARGE, &s.opt) == 0;
  if (!made) goto out;
  c.w = &w;
  c.n = thread_counts(bench_thread_count(&s), c.count);
  c.ns = calloc((size_t)(c.n * s.opt.reps), sizeof *c.ns);
  c.used = calloc((size_t)(c.n * s.opt.reps), sizeof *c.used);
  ref = malloc(c.w->out_bytes ? c.w->out_bytes : 1);
  if (!c.ns || !c.used || !ref) goto out;
  for (int v = 0; v < c.n; v++)
    if (bench_executor(&s, bench_strategy(AS_STRATEGY_CPU, 0), c.count[v],
                       AS_FAULT_NONE, 0, &c.ex[v]) < 0)
      goto out;

  bench_printf(
      &s.text,
      "\n## threads: strategy=cpu from 1 thread to twice the CPUs\n\n");
  bench_printf(&s.text, "workload %s: %s; %d round%s%s\n\n", c.w->name,
               c.w->source, s.opt.reps, s.opt.reps == 1 ? "" : "s",
               s.opt.quick ? " (--quick: a tiny workload, a smoke test)" : "");
  fflush(stdout);
  as_report rep;
  uint64_t wall;
  /* The reference: the executor at the CPU count. */
  if (bench_run_checked(c.ex[c.n - 2], &c.w->s.batch, NULL, c.w->out_bytes,
                        &rep, &wall, "threads reference"))
    goto out;
  memcpy(ref, c.w->s.batch.out, c.w->out_bytes);
  c.ref = ref;
  const bench_versus vs = {c.w,   c.ex,      c.n,    s.opt.reps,
                           c.ref, "threads", on_run, &c};
  if (bench_versus_run(&vs, c.ns)) goto out;

  double speedup[MAX_COUNTS], x[MAX_COUNTS], ideal_x[2] = {1, c.count[c.n - 2]};
  bench_workload_json(&s.json, "workload", c.w);
  as__json_string(&s.json, "time",
                  "wall time of as_run (selection + execution), ns");
  as__json_array_begin(&s.json, "counts");
  print_table(&c, speedup, x);
  as__json_array_end(&s.json);
  print_notes(&c, speedup);
  const bench_series series[2] = {{"measured", x, speedup, c.n},
                                  {"ideal (y = x)", ideal_x, ideal_x, 2}};
  char title[128];
  snprintf(title, sizeof title, "strategy=cpu speedup, %s (%zu align tasks)",
           c.w->name, c.w->s.batch.n);
  status = bench_plot(&s, "threads", title, "threads", "speedup over 1 thread",
                      0, series, 2) < 0;
out:
  for (int v = 0; v < c.n; v++) as_executor_destroy(c.ex[v]);
  free(c.ns);
  free(c.used);
  free(ref);
  if (made) as__synth_free(&w.s);
  return bench_end(&s, status);
}
