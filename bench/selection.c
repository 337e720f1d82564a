/* accelstrat-bench selection: how often strategy=auto picks the strategy
 * that is measured fastest, and what its misses cost (regret).
 *
 * Grid: the built-in kernels x sizes, on seeded synthetic batches (synth.h).
 * Per cell every measured strategy (cpu; gpu and hybrid when the GPU is
 * usable) and auto run once unmeasured, then `reps` rounds in which each
 * runs once, in an order rotated every round. A time is the wall time of
 * as_run: selection plus execution. Every run's outputs must equal the cpu
 * run's byte for byte. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "synth.h"

/* The strategies measured against each other, and auto. */
enum { CPU, GPU, HYBRID, MEASURED, AUTO = MEASURED, RUNNERS };

static const char *const runner_names[RUNNERS] = {"cpu", "gpu", "hybrid",
                                                  "auto"};
static const as_strategy_kind runner_kinds[RUNNERS] = {
    AS_STRATEGY_CPU, AS_STRATEGY_GPU, AS_STRATEGY_HYBRID, AS_STRATEGY_AUTO};

/* Regret at most this counts as a pick within noise. */
#define NOISE 0.05

#define SIZES 4
#define QUICK_SIZES 2

/* A row of the grid per built-in kernel: its registry entry's workload
 * (lengths and edit rate) at these task counts. */
static const size_t grid_tasks[SIZES] = {5, 100, 1000, 10000};

/* One auto run of a round. */
typedef struct auto_sample {
  uint64_t wall_ns, select_ns;
  uint64_t predicted_ns[AS_PREDICT_COUNT];
  as_strategy_kind chosen;
  int threads;
  char model[16];
  char reason[256];
} auto_sample;

typedef struct cell {
  const as_builtin *row;
  size_t tasks;
  uint64_t work;
  double *ns[RUNNERS];         /* wall time of each round; NULL: not run */
  unsigned fallbacks[RUNNERS]; /* runs with fallback events */
  auto_sample *autos;          /* auto's rounds */
  /* results */
  double median[RUNNERS], min[RUNNERS], max[RUNNERS];
  double predicted_median[AS_PREDICT_COUNT]; /* 0: not considered */
  double select_median_ns;
  int best, pick, pick_votes;
  double regret;
} cell;

typedef struct context {
  bench_session s;
  bench_options opt;     /* s.opt */
  bench_machine machine; /* s.machine */
  as_executor *ex[RUNNERS];
  int runners[RUNNERS]; /* which run: the measured ones in use, then auto */
  int n_runners;
  cell *cells;
  int n_cells;
} context;

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: accelstrat-bench selection [--quick] [--reps N] [--threads N]\n"
      "                                  [--out DIR] [--seed S]\n"
      "How often strategy=auto picks the measured-fastest strategy, and its\n"
      "regret, over filter and align at several sizes.\n"
      "Measures cpu, and gpu and hybrid when the GPU (ACCELSTRAT_GPU) is\n"
      "usable; writes a markdown table and, with --out, DIR/selection.md and\n"
      "DIR/selection.json (every sample). Exit 1 when a run fails or its\n"
      "outputs differ from cpu's.\n" BENCH_OPTIONS_HELP);
}

static int runner_of(as_strategy_kind k) {
  switch (k) {
  case AS_STRATEGY_CPU: return CPU;
  case AS_STRATEGY_GPU: return GPU;
  case AS_STRATEGY_HYBRID:
  case AS_STRATEGY_HYBRID_STATIC: return HYBRID;
  case AS_STRATEGY_AUTO: break;
  }
  return -1;
}

static int make_executors(context *c) {
  c->n_runners = 0;
  for (int r = 0; r < RUNNERS; r++) {
    if ((r == GPU || r == HYBRID) && !c->machine.gpu_usable) continue;
    int rc = bench_executor(&c->s, bench_strategy(runner_kinds[r], 0), 0,
                            AS_FAULT_NONE, 0, &c->ex[r]);
    if (rc < 0) return rc;
    c->runners[c->n_runners++] = r;
  }
  return 0;
}

static int record_auto(context *c, cell *x, int round, const as_report *rep,
                       uint64_t wall_ns) {
  auto_sample *s = &x->autos[round];
  s->wall_ns = wall_ns;
  s->select_ns = rep->select_ns;
  memcpy(s->predicted_ns, rep->predicted_ns, sizeof s->predicted_ns);
  s->chosen = rep->chosen.kind;
  s->threads = rep->threads;
  snprintf(s->model, sizeof s->model, "%s", rep->model);
  snprintf(s->reason, sizeof s->reason, "%s", rep->reason);
  int r = runner_of(s->chosen);
  if (r < 0 || !c->ex[r]) {
    fprintf(stderr,
            "accelstrat-bench selection: %s, %zu tasks: auto chose %s, "
            "which is not measured here (%s)\n",
            x->row->kernel->name, x->tasks, as_strategy_kind_name(s->chosen),
            s->reason);
    return 1;
  }
  return 0;
}

/* Medians, best, auto's pick and its regret. */
static void summarise_cell(context *c, cell *x) {
  const int reps = c->opt.reps;
  x->best = -1;
  for (int r = 0; r < RUNNERS; r++) {
    x->median[r] = x->min[r] = x->max[r] = NAN;
    if (!x->ns[r]) continue;
    x->median[r] = bench_median(x->ns[r], reps);
    x->min[r] = bench_min(x->ns[r], reps);
    x->max[r] = bench_max(x->ns[r], reps);
    if (r < MEASURED && (x->best < 0 || x->median[r] < x->median[x->best]))
      x->best = r;
  }
  int votes[MEASURED] = {0};
  double *v = malloc((size_t)reps * sizeof *v);
  for (int i = 0; i < reps; i++) votes[runner_of(x->autos[i].chosen)]++;
  x->pick = CPU;
  for (int r = 0; r < MEASURED; r++)
    if (votes[r] > votes[x->pick]) x->pick = r;
  x->pick_votes = votes[x->pick];
  x->regret =
      x->pick == x->best ? 0 : x->median[x->pick] / x->median[x->best] - 1;
  for (int p = 0; p < AS_PREDICT_COUNT; p++) {
    for (int i = 0; v && i < reps; i++)
      v[i] = (double)x->autos[i].predicted_ns[p];
    x->predicted_median[p] = v ? bench_median(v, reps) : NAN;
  }
  for (int i = 0; v && i < reps; i++) v[i] = (double)x->autos[i].select_ns;
  x->select_median_ns = v ? bench_median(v, reps) : NAN;
  free(v);
}

/* Builds the cell's batch, runs the warm-up and the rounds. 0, 1 (a run
 * failed or differed: said on stderr) or a negative as_errno. */
static int run_cell(context *c, cell *x) {
  const as_builtin *row = x->row;
  const as_synth_shape shape = {.n = x->tasks,
                                .min_len = row->workload.min_len,
                                .max_len = row->workload.max_len,
                                .every = row->workload.every};
  as_synth s;
  int rc = as__synth_make(&s, row->kernel, &shape, c->opt.seed);
  if (rc < 0) return rc;
  const size_t out_bytes = x->tasks * row->kernel->out_size;
  unsigned char *ref = malloc(out_bytes ? out_bytes : 1);
  x->autos = calloc((size_t)c->opt.reps, sizeof *x->autos);
  for (int i = 0; i < c->n_runners; i++)
    x->ns[c->runners[i]] = calloc((size_t)c->opt.reps, sizeof(double));
  rc = ref && x->autos ? 0 : AS_ENOMEM;
  for (int i = 0; rc == 0 && i < c->n_runners; i++)
    if (!x->ns[c->runners[i]]) rc = AS_ENOMEM;

  as_report rep;
  uint64_t wall;
  /* Warm-up, discarded: cpu first, whose outputs every other run must match. */
  for (int i = 0; rc == 0 && i < c->n_runners; i++) {
    int r = c->runners[i];
    rc = bench_run_checked(c->ex[r], &s.batch, r == CPU ? NULL : ref, out_bytes,
                           &rep, &wall, "selection warm-up");
    if (rc == 0 && r == CPU) {
      memcpy(ref, s.batch.out, out_bytes);
      x->work = rep.work;
    }
  }
  for (int round = 0; rc == 0 && round < c->opt.reps; round++) {
    char when[48];
    snprintf(when, sizeof when, "selection round %d", round + 1);
    for (int i = 0; rc == 0 && i < c->n_runners; i++) {
      int r = c->runners[(round + i) % c->n_runners];
      rc = bench_run_checked(c->ex[r], &s.batch, ref, out_bytes, &rep, &wall,
                             when);
      if (rc) break;
      x->ns[r][round] = (double)wall;
      if (rep.n_events) x->fallbacks[r]++;
      if (r == AUTO) rc = record_auto(c, x, round, &rep, wall);
    }
  }
  if (rc == 0) summarise_cell(c, x);
  free(ref);
  as__synth_free(&s);
  return rc;
}

/* ---- output ---- */

static const char *fmt_time_cell(const cell *x, int r, char *buf, size_t len) {
  char med[24], lo[24], hi[24];
  if (!x->ns[r])
    snprintf(buf, len, "-");
  else
    snprintf(
        buf, len, "%s (%s–%s)%s", bench_fmt_ms(x->median[r], med, sizeof med),
        bench_fmt_ms(x->min[r], lo, sizeof lo),
        bench_fmt_ms(x->max[r], hi, sizeof hi), x->fallbacks[r] ? " †" : "");
  return buf;
}

static void print_header(context *c, bench_text *t) {
  bench_printf(t, "\n## selection: strategy=auto against the measured-fastest "
                  "strategy\n\n");
  bench_printf(
      t, "seed %llu, %d round%s per cell%s, %d thread%s per executor\n\n",
      (unsigned long long)c->opt.seed, c->opt.reps, c->opt.reps == 1 ? "" : "s",
      c->opt.quick ? " (--quick: the two smallest sizes only)" : "",
      c->machine.threads, c->machine.threads == 1 ? "" : "s");
  bench_printf(t,
               "| kernel | tasks | work | cpu ms | gpu ms | hybrid ms | best | "
               "auto picked | auto predicted cpu/gpu/hybrid ms | regret %% | "
               "select µs |\n");
  bench_printf(t, "|---|---:|---:|---:|---:|---:|---|---|---:|---:|---:|\n");
}

static void print_row(context *c, bench_text *t, const cell *x) {
  char times[MEASURED][64], pred[AS_PREDICT_COUNT][24], pick[48];
  for (int r = 0; r < MEASURED; r++)
    fmt_time_cell(x, r, times[r], sizeof times[r]);
  for (int p = 0; p < AS_PREDICT_COUNT; p++)
    bench_fmt_ms(x->predicted_median[p] > 0 ? x->predicted_median[p] : NAN,
                 pred[p], sizeof pred[p]);
  if (x->pick_votes == c->opt.reps)
    snprintf(pick, sizeof pick, "%s", runner_names[x->pick]);
  else
    snprintf(pick, sizeof pick, "%s (%d of %d)", runner_names[x->pick],
             x->pick_votes, c->opt.reps);
  bench_printf(
      t,
      "| %s | %zu | %.3g | %s | %s | %s | %s | %s | %s/%s/%s | %.1f | %.1f |\n",
      x->row->kernel->name, x->tasks, (double)x->work, times[CPU], times[GPU],
      times[HYBRID], runner_names[x->best], pick, pred[0], pred[1], pred[2],
      100 * x->regret, x->select_median_ns / 1e3);
}

typedef struct summary {
  int cells, best_picked, within_noise;
  double regret_mean, regret_max;
  int auto_runs;
  double select_median_ns, select_max_ns;
  char rates_end[AS_BUILTIN_MAX][16];
} summary;

static void summarise(context *c, summary *s) {
  memset(s, 0, sizeof *s);
  s->cells = c->n_cells;
  double *sel = malloc((size_t)(c->n_cells * c->opt.reps) * sizeof *sel);
  for (int i = 0; i < c->n_cells; i++) {
    const cell *x = &c->cells[i];
    s->best_picked += x->pick == x->best;
    s->within_noise += x->median[x->pick] <= (1 + NOISE) * x->median[x->best];
    s->regret_mean += x->regret / c->n_cells;
    if (x->regret > s->regret_max) s->regret_max = x->regret;
    for (int k = 0; sel && k < c->opt.reps; k++)
      sel[s->auto_runs++] = (double)x->autos[k].select_ns;
  }
  s->select_median_ns = sel ? bench_median(sel, s->auto_runs) : NAN;
  s->select_max_ns = sel ? bench_max(sel, s->auto_runs) : NAN;
  free(sel);
  for (size_t k = 0; k < as__builtin_count(); k++)
    bench_rates_source(as__builtin_at(k)->kernel, s->rates_end[k],
                       sizeof s->rates_end[k]);
}

static void print_summary(context *c, bench_text *t, const summary *s) {
  int fell_back = 0;
  for (int i = 0; i < c->n_cells; i++)
    for (int r = 0; r < MEASURED; r++)
      fell_back |= c->cells[i].fallbacks[r] > 0;
  bench_printf(
      t,
      "\nTimes: wall time of as_run (selection + execution), median (min–max) "
      "of the rounds; every strategy and auto run once per round, in an order "
      "rotated each round, after one discarded warm-up each.%s best: the "
      "lowest median. auto picked: its most frequent choice (how many rounds "
      "when not all). auto predicted: median over its rounds of the report's "
      "predicted_ns (-: not considered). regret: median(picked) / "
      "median(best) - 1. select: the report's select_ns of auto's runs.%s\n",
      c->machine.gpu_usable
          ? " The GPU context was created before the first timed run (probe "
            "and warm-up), so the GPU's cold start is in none of these times."
          : " GPU not usable: only cpu is measured, and auto must pick it.",
      fell_back ? " †: some runs fell back to the CPU (events in the JSON)."
                : "");
  bench_printf(t, "\n### Summary\n\n");
  bench_printf(t, "- cells: %d\n", s->cells);
  bench_printf(t, "- auto picked the best in %d of %d (%.0f%%)\n",
               s->best_picked, s->cells,
               s->cells ? 100.0 * s->best_picked / s->cells : 0);
  bench_printf(t, "- within %.0f%% of the best in %d of %d (%.0f%%)\n",
               100 * NOISE, s->within_noise, s->cells,
               s->cells ? 100.0 * s->within_noise / s->cells : 0);
  bench_printf(t, "- regret: mean %.1f%%, max %.1f%%\n", 100 * s->regret_mean,
               100 * s->regret_max);
  bench_printf(
      t,
      "- selection time over all %d auto runs: median %.1f µs, max %.1f µs\n",
      s->auto_runs, s->select_median_ns / 1e3, s->select_max_ns / 1e3);
  bench_printf(t, "- rates at the end:");
  for (size_t k = 0; k < as__builtin_count(); k++)
    bench_printf(t, "%s %s %s", k ? "," : "", as__builtin_at(k)->kernel->name,
                 s->rates_end[k]);
  bench_printf(
      t, " (the model learns from every run of this process, the measured "
         "strategies' included)\n");
}

static void json_per_runner(bench_json *j, const char *key, const cell *x,
                            const double *v) {
  as__json_object_begin(j, key);
  for (int r = 0; r < RUNNERS; r++)
    if (x->ns[r]) as__json_double(j, runner_names[r], v[r]);
  as__json_object_end(j);
}

static void json_predicted(bench_json *j, const char *key, const uint64_t *p) {
  as__json_object_begin(j, key);
  for (int i = 0; i < AS_PREDICT_COUNT; i++)
    as__json_u64(j, runner_names[i], p[i]);
  as__json_object_end(j);
}

static void json_cell(context *c, bench_json *j, const cell *x) {
  as__json_object_begin(j, NULL);
  as__json_string(j, "kernel", x->row->kernel->name);
  as__json_u64(j, "tasks", x->tasks);
  as__json_u64(j, "work", x->work);
  as__json_object_begin(j, "shape");
  as__json_i64(j, "min_len", x->row->workload.min_len);
  as__json_i64(j, "max_len", x->row->workload.max_len);
  as__json_i64(j, "every", x->row->workload.every);
  as__json_object_end(j);
  as__json_object_begin(j, "samples_ns");
  for (int r = 0; r < RUNNERS; r++) {
    if (!x->ns[r]) continue;
    as__json_array_begin(j, runner_names[r]);
    for (int i = 0; i < c->opt.reps; i++)
      as__json_u64(j, NULL, (uint64_t)x->ns[r][i]);
    as__json_array_end(j);
  }
  as__json_object_end(j);
  as__json_object_begin(j, "fallback_runs");
  for (int r = 0; r < RUNNERS; r++)
    if (x->ns[r]) as__json_i64(j, runner_names[r], x->fallbacks[r]);
  as__json_object_end(j);
  json_per_runner(j, "median_ns", x, x->median);
  json_per_runner(j, "min_ns", x, x->min);
  json_per_runner(j, "max_ns", x, x->max);
  as__json_string(j, "best", runner_names[x->best]);
  as__json_string(j, "auto_pick", runner_names[x->pick]);
  as__json_i64(j, "auto_pick_rounds", x->pick_votes);
  as__json_double(j, "regret", x->regret);
  as__json_bool(j, "within_noise",
                x->median[x->pick] <= (1 + NOISE) * x->median[x->best]);
  as__json_double(j, "select_median_ns", x->select_median_ns);
  as__json_array_begin(j, "auto");
  for (int i = 0; i < c->opt.reps; i++) {
    const auto_sample *a = &x->autos[i];
    as__json_object_begin(j, NULL);
    as__json_i64(j, "round", i + 1);
    as__json_u64(j, "wall_ns", a->wall_ns);
    as__json_string(j, "chosen", as_strategy_kind_name(a->chosen));
    as__json_u64(j, "select_ns", a->select_ns);
    json_predicted(j, "predicted_ns", a->predicted_ns);
    as__json_i64(j, "threads", a->threads);
    as__json_string(j, "model", a->model);
    as__json_string(j, "reason", a->reason);
    as__json_object_end(j);
  }
  as__json_array_end(j);
  as__json_object_end(j);
}

/* The cells and the summary, into the session's JSON object. */
static void write_json(context *c, const summary *s) {
  bench_json *j = &c->s.json;
  as__json_string(j, "time", "wall time of as_run (selection + execution), ns");
  as__json_array_begin(j, "strategies");
  for (int i = 0; i < c->n_runners; i++)
    if (c->runners[i] != AUTO)
      as__json_string(j, NULL, runner_names[c->runners[i]]);
  as__json_array_end(j);
  as__json_array_begin(j, "cells");
  for (int i = 0; i < c->n_cells; i++) json_cell(c, j, &c->cells[i]);
  as__json_array_end(j);
  as__json_object_begin(j, "summary");
  as__json_i64(j, "cells", s->cells);
  as__json_i64(j, "best_picked", s->best_picked);
  as__json_i64(j, "within_noise", s->within_noise);
  as__json_double(j, "noise", NOISE);
  as__json_double(j, "regret_mean", s->regret_mean);
  as__json_double(j, "regret_max", s->regret_max);
  as__json_i64(j, "auto_runs", s->auto_runs);
  as__json_double(j, "select_median_ns", s->select_median_ns);
  as__json_double(j, "select_max_ns", s->select_max_ns);
  as__json_object_begin(j, "rates_at_end");
  for (size_t k = 0; k < as__builtin_count(); k++)
    as__json_string(j, as__builtin_at(k)->kernel->name, s->rates_end[k]);
  as__json_object_end(j);
  as__json_object_end(j);
}

/* ---- the subcommand ---- */

static void free_context(context *c) {
  for (int i = 0; i < c->n_cells; i++) {
    for (int r = 0; r < RUNNERS; r++) free(c->cells[i].ns[r]);
    free(c->cells[i].autos);
  }
  free(c->cells);
  for (int r = 0; r < RUNNERS; r++) as_executor_destroy(c->ex[r]);
}

int bench_selection(int argc, char **argv) {
  context c;
  memset(&c, 0, sizeof c);
  int status;
  if (!bench_begin(&c.s, "selection", argc, argv, usage, 0, &status))
    return status;
  c.opt = c.s.opt;
  c.machine = c.s.machine;
  status = 1;
  if (make_executors(&c) < 0) goto done;

  const int sizes = c.opt.quick ? QUICK_SIZES : SIZES;
  c.cells = calloc(as__builtin_count() * sizes, sizeof *c.cells);
  if (!c.cells) goto done;
  print_header(&c, &c.s.text);
  fflush(stdout);
  for (size_t g = 0; g < as__builtin_count(); g++) {
    for (int z = 0; z < sizes; z++) {
      cell *x = &c.cells[c.n_cells++];
      x->row = as__builtin_at(g);
      x->tasks = grid_tasks[z];
      int rc = run_cell(&c, x);
      if (rc < 0)
        fprintf(stderr, "accelstrat-bench selection: %s, %zu tasks: %s\n",
                x->row->kernel->name, x->tasks, as_strerror(rc));
      if (rc) goto done;
      print_row(&c, &c.s.text, x);
      fflush(stdout);
    }
  }
  summary sum;
  summarise(&c, &sum);
  print_summary(&c, &c.s.text, &sum);
  write_json(&c, &sum);
  status = 0;
done:
  free_context(&c);
  return bench_end(&c.s, status);
}
