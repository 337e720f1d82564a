/* accelstrat-bench overhead: what strategy=auto costs over running, fixed,
 * the strategy it picks (the reference's "Auto-Selection Overhead").
 *
 * Per workload: a strategy=cpu run gives the reference output, then one auto
 * run says which strategy auto picks; an executor with exactly that strategy
 * is the direct run. Direct and auto then run interleaved (a discarded
 * warm-up each, `reps` rounds in rotated order). A time is as_run's wall
 * time (selection + execution); every run's outputs are checked. Auto's
 * select_ns and choice are kept every round: its choice may move as the
 * model learns from the runs, and the row says so when it does. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

enum { DIRECT, AUTO, VARIANTS };
static const char *const variant_names[VARIANTS] = {"direct", "auto"};

typedef struct row {
  const bench_workload *w;
  as_strategy chosen;           /* auto's first pick: the direct strategy */
  double *ns;                   /* wall time, ns[v * reps + round] */
  double *select_ns[VARIANTS];  /* each round's report.select_ns */
  double *decide_ns[VARIANTS];  /* ... less its check_ns: limit and choice */
  as_strategy *picks;           /* auto's choice each round */
  int changed;                  /* rounds in which auto picked otherwise */
  unsigned fallbacks[VARIANTS]; /* rounds with fallback events */
  bench_stat t[VARIANTS], ratio, select[VARIANTS], decide[VARIANTS];
  double diff_ns; /* median of the per-pair auto - direct */
} row;

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: accelstrat-bench overhead [options]\n"
      "strategy=auto against an executor fixed to the strategy auto picks,\n"
      "on the Small, Medium, Large and XL workloads (and --replay batches):\n"
      "wall time of as_run, per-pair overhead, and auto's selection time\n"
      "(report.select_ns). Outputs are checked against a strategy=cpu run;\n"
      "exit 1 when a run fails or its outputs differ.\n" BENCH_OPTIONS_HELP);
}

static int same_strategy(as_strategy a, as_strategy b) {
  return a.kind == b.kind && (a.kind != AS_STRATEGY_HYBRID_STATIC ||
                              a.gpu_fraction == b.gpu_fraction);
}

static void on_run(void *arg, int v, int round, const as_report *rep) {
  row *r = arg;
  if (round < 0) return; /* the warm-up */
  r->select_ns[v][round] = (double)rep->select_ns;
  r->decide_ns[v][round] = (double)(rep->select_ns - rep->check_ns);
  if (rep->n_events) r->fallbacks[v]++;
  if (v == AUTO) {
    r->picks[round] = rep->chosen;
    if (!same_strategy(rep->chosen, r->chosen)) r->changed++;
  }
}

/* Reference, auto's first pick, the direct executor and the rounds. 0, 1 (a
 * run failed or differed: said) or a negative as_errno. */
static int run_row(bench_session *s, as_executor *cpu, as_executor *autox,
                   row *r) {
  const int reps = s->opt.reps;
  const bench_workload *w = r->w;
  as_executor *ex[VARIANTS] = {NULL, autox};
  unsigned char *ref = malloc(w->out_bytes ? w->out_bytes : 1);
  r->ns = calloc((size_t)(VARIANTS * reps), sizeof *r->ns);
  r->picks = calloc((size_t)reps, sizeof *r->picks);
  int lost = 0;
  for (int v = 0; v < VARIANTS; v++) {
    r->select_ns[v] = calloc((size_t)reps, sizeof(double));
    r->decide_ns[v] = calloc((size_t)reps, sizeof(double));
    lost |= !r->select_ns[v] || !r->decide_ns[v];
  }
  if (!ref || !r->ns || !r->picks || lost) {
    free(ref);
    return AS_ENOMEM;
  }
  as_report rep;
  uint64_t wall;
  int rc = bench_run_checked(cpu, &w->s.batch, NULL, w->out_bytes, &rep, &wall,
                             "overhead reference (cpu)");
  if (rc == 0) {
    memcpy(ref, w->s.batch.out, w->out_bytes);
    rc = bench_run_checked(autox, &w->s.batch, ref, w->out_bytes, &rep, &wall,
                           "overhead first auto run");
  }
  if (rc == 0) {
    r->chosen = rep.chosen;
    rc = bench_executor(s, r->chosen, 0, AS_FAULT_NONE, 0, &ex[DIRECT]);
  }
  char what[96];
  snprintf(what, sizeof what, "overhead, %s", w->name);
  const bench_versus vs = {w, ex, VARIANTS, reps, ref, what, on_run, r};
  if (rc == 0) rc = bench_versus_run(&vs, r->ns);
  as_executor_destroy(ex[DIRECT]);
  free(ref);
  if (rc) return rc;

  for (int v = 0; v < VARIANTS; v++) {
    r->t[v] = bench_stats(r->ns + v * reps, reps);
    r->select[v] = bench_stats(r->select_ns[v], reps);
    r->decide[v] = bench_stats(r->decide_ns[v], reps);
  }
  r->ratio =
      bench_ratio_stats(r->ns + AUTO * reps, r->ns + DIRECT * reps, reps);
  r->diff_ns =
      bench_diff_stats(r->ns + AUTO * reps, r->ns + DIRECT * reps, reps).median;
  return 0;
}

/* ---- output ---- */

static const char *signed_ms(double ns, char *buf, size_t len) {
  char m[24];
  snprintf(buf, len, "%s%s", ns < 0 ? "-" : "+",
           bench_fmt_ms(fabs(ns), m, sizeof m));
  return buf;
}

static void print_row(bench_session *s, const row *r) {
  const int reps = s->opt.reps;
  char pick[160], t[VARIANTS][64], diff[24];
  const int on_gpu = r->chosen.kind != AS_STRATEGY_CPU;
  as_strategy_format(r->chosen, pick, sizeof pick);
  if (on_gpu && s->machine.gpu_simulated)
    strncat(pick, " (sim)", sizeof pick - strlen(pick) - 1);
  if (r->changed) { /* what auto ran in the rounds instead, and how often */
    size_t n = strlen(pick);
    snprintf(pick + n, sizeof pick - n,
             "; auto ran otherwise in %d of %d rounds:", r->changed, reps);
    for (int i = 0; i < reps; i++) {
      int seen = same_strategy(r->picks[i], r->chosen), count = 0;
      for (int k = 0; k < i && !seen; k++)
        seen = same_strategy(r->picks[k], r->picks[i]);
      for (int k = i; k < reps && !seen; k++)
        count += same_strategy(r->picks[k], r->picks[i]);
      if (seen) continue;
      char name[32];
      n = strlen(pick);
      snprintf(pick + n, sizeof pick - n, " %s ×%d",
               as_strategy_format(r->picks[i], name, sizeof name), count);
    }
  }
  for (int v = 0; v < VARIANTS; v++) {
    bench_fmt_stat_ms(r->t[v], t[v], sizeof t[v]);
    if (r->fallbacks[v]) strncat(t[v], " †", sizeof t[v] - strlen(t[v]) - 1);
  }
  bench_printf(
      &s->text,
      "| %s (%zu tasks) | %s | %s | %s | %s ms (%+.1f%%; pairs %+.1f%% to "
      "%+.1f%%) | %.1f / %.1f | %.1f |\n",
      r->w->name, r->w->s.batch.n, pick, t[DIRECT], t[AUTO],
      signed_ms(r->diff_ns, diff, sizeof diff), 100 * (r->ratio.median - 1),
      100 * (r->ratio.min - 1), 100 * (r->ratio.max - 1),
      r->decide[AUTO].median / 1e3, r->decide[DIRECT].median / 1e3,
      r->select[AUTO].median / 1e3);
}

static void print_notes(bench_session *s, const row *rows, int n) {
  int fell_back = 0;
  for (int i = 0; i < n; i++)
    fell_back |= rows[i].fallbacks[DIRECT] || rows[i].fallbacks[AUTO];
  bench_printf(
      &s->text,
      "\nDirect: an executor fixed to the strategy auto picked on its first "
      "run (auto picks). Direct and With auto-select: wall time of as_run "
      "(selection + execution) in ms, median (min–max) of %d rounds, the two "
      "interleaved in rotated order after a discarded warm-up each; outputs "
      "checked against a strategy=cpu run every time. Overhead: median of the "
      "per-pair differences (auto − direct), and median (and range) of the "
      "per-pair ratios − 1. The per-pair difference is dominated by run-to-run "
      "noise (see the range), not by auto: what auto does beyond a fixed "
      "strategy is the decision. decision µs: median of the report's select_ns "
      "− check_ns (the thread limit and the choice of strategy) of auto / of "
      "the "
      "fixed strategy, which has no choice to make. select µs: auto's whole "
      "select_ns, which adds check_ns, the pass over the tasks that validates "
      "them and sums their cost (linear in the tasks; every strategy makes it, "
      "the direct loop does not). The model "
      "learns from every run, so auto's choice can move between rounds: the "
      "row "
      "then says what auto ran instead and how often (those pairs compare "
      "different strategies).%s%s\n",
      s->opt.reps,
      fell_back
          ? " †: some runs fell back to the CPU (events counted in the JSON)."
          : "",
      s->machine.gpu_usable ? "" : " No GPU usable: auto can only pick cpu.");
}

static void print_summary(bench_session *s, const row *rows, int n) {
  const int reps = s->opt.reps;
  double *sel = malloc((size_t)(n * reps) * sizeof *sel);
  double *own = malloc((size_t)(n * reps) * sizeof *own);
  bench_stat all = {NAN, NAN, NAN}, decision = {NAN, NAN, NAN};
  if (sel && own) {
    for (int i = 0; i < n; i++)
      for (int k = 0; k < reps; k++) {
        sel[i * reps + k] = rows[i].select_ns[AUTO][k];
        own[i * reps + k] = rows[i].decide_ns[AUTO][k];
      }
    all = bench_stats(sel, n * reps);
    decision = bench_stats(own, n * reps);
  }
  free(sel);
  free(own);
  bench_printf(&s->text, "\n### Summary\n\n");
  bench_printf(
      &s->text,
      "- auto's decision (select_ns − check_ns: the thread limit and the "
      "choice) "
      "over all %d runs: median %.1f µs, max %.1f µs (target: each workload's "
      "median under 2 µs)\n",
      n * reps, decision.median / 1e3, decision.max / 1e3);
  bench_printf(&s->text,
               "- auto's whole select_ns, with the pass over the tasks that "
               "any strategy "
               "makes (check_ns: validation and cost, linear in the tasks): "
               "median %.1f µs, "
               "max %.1f µs\n",
               all.median / 1e3, all.max / 1e3);
  bench_printf(&s->text,
               "- overhead per workload (median per-pair ratio − 1):");
  for (int i = 0; i < n; i++)
    bench_printf(&s->text, "%s %s %+.2f%%", i ? "," : "", rows[i].w->name,
                 100 * (rows[i].ratio.median - 1));
  bench_printf(&s->text, "\n");
  bench_json *j = &s->json;
  as__json_object_begin(j, "summary");
  as__json_i64(j, "decisions", n * reps);
  bench_json_stat(j, "select_ns", all);
  bench_json_stat(j, "decide_ns", decision);
  as__json_double(j, "decide_target_ns", 2000);
  as__json_object_end(j);
}

static void json_row(bench_session *s, const row *r) {
  const int reps = s->opt.reps;
  bench_json *j = &s->json;
  char name[32];
  as__json_object_begin(j, NULL);
  bench_workload_json(j, "workload", r->w);
  as__json_string(j, "direct_strategy",
                  as_strategy_format(r->chosen, name, sizeof name));
  as__json_object_begin(j, "samples_ns");
  for (int v = 0; v < VARIANTS; v++)
    bench_json_samples(j, variant_names[v], r->ns + v * reps, reps);
  as__json_object_end(j);
  as__json_object_begin(j, "select_ns");
  for (int v = 0; v < VARIANTS; v++)
    bench_json_samples(j, variant_names[v], r->select_ns[v], reps);
  as__json_object_end(j);
  as__json_object_begin(j, "decide_ns");
  for (int v = 0; v < VARIANTS; v++)
    bench_json_samples(j, variant_names[v], r->decide_ns[v], reps);
  as__json_object_end(j);
  as__json_array_begin(j, "auto_chosen");
  for (int i = 0; i < reps; i++)
    as__json_string(j, NULL,
                    as_strategy_format(r->picks[i], name, sizeof name));
  as__json_array_end(j);
  as__json_i64(j, "auto_rounds_other", r->changed);
  as__json_object_begin(j, "fallback_rounds");
  for (int v = 0; v < VARIANTS; v++)
    as__json_i64(j, variant_names[v], r->fallbacks[v]);
  as__json_object_end(j);
  bench_json_stat(j, "direct_ns", r->t[DIRECT]);
  bench_json_stat(j, "auto_ns", r->t[AUTO]);
  as__json_double(j, "overhead_ns_median", r->diff_ns);
  bench_json_stat(j, "ratio_auto_direct", r->ratio);
  as__json_object_end(j);
}

/* ---- the subcommand ---- */

typedef struct rows_ctx {
  as_executor *cpu, *autox;
  bench_workload *w;
  row *rows;
} rows_ctx;

static int one_row(bench_session *s, int i, void *ctx) {
  rows_ctx *c = ctx;
  c->rows[i].w = &c->w[i];
  int rc = run_row(s, c->cpu, c->autox, &c->rows[i]);
  if (rc) return rc;
  print_row(s, &c->rows[i]);
  json_row(s, &c->rows[i]);
  return 0;
}

int bench_overhead(int argc, char **argv) {
  bench_session s;
  int status;
  if (!bench_begin(&s, "overhead", argc, argv, usage, 0, &status))
    return status;
  bench_workload *w = NULL;
  row *rows = NULL;
  as_executor *cpu = NULL, *autox = NULL;
  int n = bench_workloads(&s.opt, &w), done = 0;
  if (n < 0) goto out;
  rows = calloc((size_t)n + 1, sizeof *rows);
  if (!rows ||
      bench_executor(&s, bench_strategy(AS_STRATEGY_CPU, 0), 0, AS_FAULT_NONE,
                     0, &cpu) < 0 ||
      bench_executor(&s, bench_strategy(AS_STRATEGY_AUTO, 0), 0, AS_FAULT_NONE,
                     0, &autox) < 0)
    goto out;

  bench_printf(&s.text, "\n## overhead: strategy=auto against the strategy it "
                        "picks, run directly\n\n");
  if (s.machine.gpu_simulated)
    bench_printf(&s.text,
                 "**GPU: sim backend: host code standing in for a GPU; not GPU "
                 "numbers.** Rows whose pick is gpu or hybrid ran on it.\n\n");
  bench_printf(&s.text,
               "%d round%s per workload, %d thread%s per executor%s\n\n",
               s.opt.reps, s.opt.reps == 1 ? "" : "s", s.machine.threads,
               s.machine.threads == 1 ? "" : "s",
               s.opt.quick ? " (--quick: tiny workloads, a smoke test)" : "");
  bench_printf(
      &s.text,
      "| Workload | auto picks | Direct Exec ms | With Auto-Select ms | "
      "Overhead | decision µs auto / fixed | select µs auto |\n");
  bench_printf(&s.text, "|---|---|---:|---:|---:|---:|---:|\n");
  fflush(stdout);
  as__json_string(&s.json, "time",
                  "wall time of as_run (selection + execution), ns");
  rows_ctx c = {cpu, autox, w, rows};
  done = bench_rows(&s, w, n, one_row, &c);
  if (done == n) {
    print_notes(&s, rows, n);
    print_summary(&s, rows, n);
    status = 0;
  }
out:
  for (int i = 0; rows && i < n; i++) {
    free(rows[i].ns);
    free(rows[i].picks);
    for (int v = 0; v < VARIANTS; v++) {
      free(rows[i].select_ns[v]);
      free(rows[i].decide_ns[v]);
    }
  }
  free(rows);
  as_executor_destroy(cpu);
  as_executor_destroy(autox);
  if (n > 0) bench_workloads_free(w, n);
  return bench_end(&s, status);
}
