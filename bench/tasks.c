/* accelstrat-bench tasks: strategy=cpu and strategy=gpu from 10 to 10,000
 * tasks (the reference's "Task Count Scaling"), and where the GPU starts
 * to win.
 *
 * Per task count a synthetic align batch (bench_workload_align, the same
 * tasks as the reference workloads), one discarded warm-up run of each
 * strategy (cpu first: its outputs are the reference), then `reps` rounds
 * of one cpu and one gpu run in an order rotated each round. A time is the
 * wall time of as_run (selection + execution); the speedup is the median
 * of the per-round ratios cpu/gpu. The machine probe created the GPU
 * context before the first run, so no time includes its cold start. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

enum { CPU, GPU, VARIANTS };

static const size_t counts[] = {10, 50, 100, 500, 1000, 5000, 10000};
static const size_t quick_counts[] = {2, 4, 8, 16};
#define MAX_COUNTS (sizeof counts / sizeof *counts)

typedef struct point {
  size_t tasks;
  int variants; /* 1: cpu only */
  int reps;
  bench_workload w;
  int fallbacks; /* timed gpu runs with fallback events */
  double *ns;    /* ns[v * reps + round] */
  bench_stat st[VARIANTS], speedup;
} point;

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: accelstrat-bench tasks [options]\n"
      "strategy=cpu and strategy=gpu on align batches of 10, 50, 100, 500, "
      "1000,\n"
      "5000 and 10000 tasks (--quick: 2, 4, 8, 16 short ones): median times,\n"
      "the per-round speedup cpu/gpu and the smallest count where gpu is "
      "faster.\n"
      "With --out also the plots tasks (time against tasks) and "
      "tasks-speedup.\n"
      "Without a usable GPU (ACCELSTRAT_GPU) only cpu is measured. Exit 1 "
      "when\n"
      "a run fails or its outputs differ from cpu's.\n"
      "--replay does not apply: synthetic batches only.\n" BENCH_OPTIONS_HELP);
}

static void on_run(void *arg, int v, int round, const as_report *rep) {
  point *p = arg;
  if (v == GPU && round >= 0) p->fallbacks += rep->n_events > 0;
}

/* Builds the batch, runs its rounds and frees the batch (the largest are
 * hundreds of MB). 0, or 1 after saying what failed. */
static int run_point(point *p, as_executor *const *ex, uint64_t seed,
                     int quick) {
  char name[32];
  snprintf(name, sizeof name, "%zu tasks", p->tasks);
  int rc = bench_workload_align(&p->w, name, p->tasks, quick, seed);
  if (rc < 0) {
    fprintf(stderr, "accelstrat-bench tasks: %zu tasks: %s\n", p->tasks,
            as_strerror(rc));
    return 1;
  }
  p->ns = calloc((size_t)(VARIANTS * p->reps), sizeof *p->ns);
  const bench_versus vs = {&p->w, ex,      p->variants, p->reps,
                           NULL,  "tasks", on_run,      p};
  rc = p->ns ? bench_versus_run(&vs, p->ns) : 1;
  if (!p->ns) fprintf(stderr, "accelstrat-bench tasks: out of memory\n");
  if (rc == 0) {
    for (int v = 0; v < p->variants; v++)
      p->st[v] = bench_stats(&p->ns[v * p->reps], p->reps);
    if (p->variants > GPU)
      p->speedup = bench_ratio_stats(&p->ns[CPU * p->reps],
                                     &p->ns[GPU * p->reps], p->reps);
  }
  as__synth_free(&p->w.s);
  return rc ? 1 : 0;
}

static void print_point(bench_session *s, const point *p) {
  char cpu[64], gpu[96], sp[64];
  bench_fmt_stat_ms(p->st[CPU], cpu, sizeof cpu);
  bench_fmt_gpu_cells(p->variants > GPU, p->st[GPU], p->fallbacks, p->reps,
                      p->speedup, gpu, sizeof gpu, sp, sizeof sp);
  bench_printf(&s->text, "| %zu | %s | %s | %s |\n", p->tasks, cpu, gpu, sp);
}

static void json_point(bench_json *j, const point *p) {
  as__json_object_begin(j, NULL);
  as__json_u64(j, "tasks", p->tasks);
  as__json_string(j, "source", p->w.source);
  as__json_u64(j, "work", p->w.work);
  as__json_object_begin(j, "samples_ns");
  bench_json_samples(j, "cpu", &p->ns[CPU * p->reps], p->reps);
  if (p->variants > GPU)
    bench_json_samples(j, "gpu", &p->ns[GPU * p->reps], p->reps);
  as__json_object_end(j);
  bench_json_stat(j, "cpu_ns", p->st[CPU]);
  if (p->variants > GPU) {
    bench_json_stat(j, "gpu_ns", p->st[GPU]);
    bench_json_stat(j, "speedup", p->speedup);
    as__json_i64(j, "gpu_fallback_runs", p->fallbacks);
  }
  as__json_object_end(j);
}

/* The smallest count whose gpu median is below cpu's; -1: none. *stays:
 * whether gpu is also faster at every larger count. */
static int crossover(const point *pts, int n, int *stays) {
  int first = -1;
  *stays = 1;
  for (int i = 0; i < n; i++) {
    int faster = pts[i].st[GPU].median < pts[i].st[CPU].median;
    if (faster && first < 0)
      first = i;
    else if (!faster && first >= 0)
      *stays = 0;
  }
  return first;
}

static int plots(bench_session *s, const point *pts, int n, int gpu,
                 const char *dev) {
  double x[MAX_COUNTS], y[VARIANTS][MAX_COUNTS], sp[MAX_COUNTS];
  for (int i = 0; i < n; i++) {
    x[i] = (double)pts[i].tasks;
    for (int v = 0; v < VARIANTS; v++) y[v][i] = pts[i].st[v].median / 1e6;
    sp[i] = pts[i].speedup.median;
  }
  char cpu_title[48], gpu_title[64];
  snprintf(cpu_title, sizeof cpu_title, "cpu (%d threads)", s->machine.threads);
  snprintf(gpu_title, sizeof gpu_title, "%s", dev);
  const bench_series times[VARIANTS] = {{cpu_title, x, y[CPU], n},
                                        {gpu_title, x, y[GPU], n}};
  int rc = bench_plot(
      s, "tasks",
      gpu ? "Time against task count (median)"
          : "Time against task count (median; GPU not measured)",
      "tasks", "time (ms)", BENCH_LOG_X | BENCH_LOG_Y, times, gpu ? 2 : 1);
  if (!gpu || n == 0) return rc;
  const double even_x[2] = {x[0], x[n - 1]}, even_y[2] = {1, 1};
  char title[80];
  snprintf(title, sizeof title, "%s speedup (cpu time / %s time)", dev,
           s->machine.gpu_simulated ? "sim" : "gpu");
  const bench_series speed[2] = {{title, x, sp, n},
                                 {"break-even", even_x, even_y, 2}};
  if (bench_plot(s, "tasks-speedup",
                 "Speedup against task count (median of per-round ratios)",
                 "tasks", "speedup", BENCH_LOG_X, speed, 2) < 0)
    rc = -1;
  return rc;
}

static void print_header(bench_session *s, int gpu, const char *dev) {
  const bench_machine *m = &s->machine;
  bench_printf(
      &s->text,
      "\n## tasks: Task Count Scaling, strategy=cpu and strategy=gpu\n\n");
  if (gpu && m->gpu_simulated)
    bench_printf(&s->text,
                 "**sim backend: the \"GPU\" below is host code on one thread "
                 "standing in for a GPU; these are not GPU numbers.**\n\n");
  if (!gpu)
    bench_printf(&s->text, "**GPU not measured: %s.** Only the CPU is.\n\n",
                 m->gpu_why);
  bench_printf(
      &s->text,
      "Method: align tasks (%s), one warm-up run of each strategy per count, "
      "then %d round%s of %s; %d CPU thread%s at most; outputs checked "
      "against cpu's in every run.\n\n",
      s->opt.quick ? "--quick: short streams" : "streams of 2000-8000 tokens",
      s->opt.reps, s->opt.reps == 1 ? "" : "s",
      gpu ? "cpu and gpu in an order rotated each round" : "cpu", m->threads,
      m->threads == 1 ? "" : "s");
  bench_printf(&s->text,
               "| Task Count | CPU Time (ms) | %s Time (ms) | %s Speedup |\n",
               dev, gpu && m->gpu_simulated ? "Sim" : "GPU");
  bench_printf(&s->text, "|---:|---:|---:|---:|\n");
}

static void summary(bench_session *s, const point *pts, int n, int gpu,
                    const char *dev) {
  bench_printf(
      &s->text,
      "\nTimes: wall time of as_run (selection + execution), median (min–max) "
      "over the rounds, ms. Speedup: median (min–max) of the per-round ratios "
      "cpu/gpu (above 1: gpu faster). The cpu strategy may take fewer threads "
      "on small batches (the model's choice).");
  if (gpu)
    bench_printf(&s->text,
                 " The %s context was created by the machine probe before the "
                 "first run: no time includes its cold start.",
                 s->machine.gpu_simulated ? "sim backend's" : "GPU's");
  int fell = 0;
  for (int i = 0; i < n; i++) fell |= pts[i].fallbacks > 0;
  if (fell)
    bench_printf(
        &s->text,
        " †: n/N timed gpu runs fell back to the CPU (events in the JSON); "
        "those times are not GPU-only.");
  bench_printf(&s->text, "\n\n### Summary\n\n");
  as__json_object_begin(&s->json, "summary");
  if (!gpu) {
    bench_printf(&s->text, "- GPU not measured (%s): no crossover\n",
                 s->machine.gpu_why);
    char lo[24], hi[24];
    bench_printf(&s->text, "- cpu: %s ms at %zu tasks, %s ms at %zu\n",
                 bench_fmt_ms(pts[0].st[CPU].median, lo, sizeof lo),
                 pts[0].tasks,
                 bench_fmt_ms(pts[n - 1].st[CPU].median, hi, sizeof hi),
                 pts[n - 1].tasks);
    as__json_null(&s->json, "crossover_tasks");
    as__json_object_end(&s->json);
    return;
  }
  int stays, c = crossover(pts, n, &stays), best = 0;
  for (int i = 0; i < n; i++)
    if (pts[i].speedup.median > pts[best].speedup.median) best = i;
  if (c < 0)
    bench_printf(
        &s->text,
        "- crossover: none; %s slower than cpu at every count measured\n", dev);
  else
    bench_printf(
        &s->text,
        "- crossover: %s median below cpu's from %zu tasks (medians' ratio "
        "%.2fx)%s\n",
        dev, pts[c].tasks, pts[c].st[CPU].median / pts[c].st[GPU].median,
        stays ? ", and at every larger count"
              : ", but not at every larger count");
  bench_printf(
      &s->text,
      "- speedup: %.2fx at %zu tasks, %.2fx at %zu tasks, best %.2fx at %zu\n",
      pts[0].speedup.median, pts[0].tasks, pts[n - 1].speedup.median,
      pts[n - 1].tasks, pts[best].speedup.median, pts[best].tasks);
  if (c >= 0)
    as__json_u64(&s->json, "crossover_tasks", pts[c].tasks);
  else
    as__json_null(&s->json, "crossover_tasks");
  as__json_bool(&s->json, "gpu_faster_at_every_larger_count", c >= 0 && stays);
  as__json_double(&s->json, "best_speedup", pts[best].speedup.median);
  as__json_u64(&s->json, "best_speedup_tasks", pts[best].tasks);
  as__json_object_end(&s->json);
}

int bench_tasks(int argc, char **argv) {
  bench_session s;
  int status;
  if (!bench_begin(&s, "tasks", argc, argv, usage, 0, &status)) return status;
  status = 1;
  const int gpu = s.machine.gpu_usable;
  const char *dev = !gpu                      ? "GPU"
                    : s.machine.gpu_simulated ? "sim (not a GPU)"
                                              : "GPU";
  const size_t *list = s.opt.quick ? quick_counts : counts;
  const int n = s.opt.quick ? (int)(sizeof quick_counts / sizeof *quick_counts)
                            : (int)MAX_COUNTS;
  as_executor *ex[VARIANTS] = {NULL, NULL};
  point *pts = calloc((size_t)n, sizeof *pts);
  if (!pts) goto done;
  if (bench_executor(&s, bench_strategy(AS_STRATEGY_CPU, 0), 0, AS_FAULT_NONE,
                     0, &ex[CPU]) < 0)
    goto done;
  if (gpu && bench_executor(&s, bench_strategy(AS_STRATEGY_GPU, 0), 0,
                            AS_FAULT_NONE, 0, &ex[GPU]) < 0)
    goto done;
  print_header(&s, gpu, dev);
  fflush(stdout);
  as__json_string(&s.json, "time",
                  "wall time of as_run (selection + execution), ns");
  as__json_bool(&s.json, "gpu_measured", gpu);
  as__json_array_begin(&s.json, "points");
  int i = 0;
  for (; i < n; i++) {
    point *p = &pts[i];
    p->tasks = list[i];
    p->variants = gpu ? VARIANTS : 1;
    p->reps = s.opt.reps;
    if (run_point(p, ex, s.opt.seed, s.opt.quick)) break;
    print_point(&s, p);
    fflush(stdout);
    json_point(&s.json, p);
  }
  as__json_array_end(&s.json);
  if (i == n) {
    summary(&s, pts, n, gpu, dev);
    status = plots(&s, pts, n, gpu, dev) < 0 ? 1 : 0;
  }
done:
  for (int k = 0; pts && k < n; k++) free(pts[k].ns);
  free(pts);
  for (int v = 0; v < VARIANTS; v++) as_executor_destroy(ex[v]);
  return bench_end(&s, status);
}
