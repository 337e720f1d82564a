/* accelstrat-bench fallback: how long the runtime takes to notice a GPU
 * failure and to hand the work to the CPU (the reference's section 5,
 * "Fallback Performance"), from the report's events: detect_ns (the failing
 * call to its classification) and switch_ns (classification to the CPU
 * taking over).
 *
 * A driver error marks the GPU dead for the rest of the process, so every
 * sample runs in a process of its own: the parent forks one child per
 * sample, one at a time, scenarios rotated round by round, before it has
 * started an OpenMP team or a GPU context itself (BENCH_LATE_MACHINE: both
 * do not survive fork). A child runs a strategy=cpu reference, creates the
 * GPU context (its cold start is not in the timed run), runs the batch once
 * with strategy=gpu, fallback on and the scenario's fault, checks its
 * outputs and that every task ran on exactly one device, times a plain
 * strategy=cpu run for comparison, and sends its report through a pipe. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <accelstrat/backend.h>

#include "bench.h"

/* The sim backend's memory (ACCELSTRAT_SIM) a scenario's child sets. */
enum { SIM_AS_IS, SIM_CHUNKS, SIM_TINY };

typedef struct scenario {
  const char *name;
  const char *inject; /* as ACCELSTRAT_INJECT spells it */
  as_fault fault;
  long chunk;
  int sim_memory; /* SIM_*; applied on the sim backend only */
} scenario;

/* In this order; the last needs the sim's memory limit to happen at all. */
enum { UNAVAILABLE, DRIVER_FIRST, DRIVER_MID, OOM_RETRY, REAL_OOM, SCENARIOS };

static const scenario scenarios[SCENARIOS] = {
    {"GPU unavailable", "gpu-unavailable", AS_FAULT_GPU_UNAVAILABLE, 0,
     SIM_AS_IS},
    {"Driver error at the first chunk", "gpu-driver-error@0",
     AS_FAULT_GPU_DRIVER_ERROR, 0, SIM_AS_IS},
    {"Driver error mid-batch (chunk 1)", "gpu-driver-error@1",
     AS_FAULT_GPU_DRIVER_ERROR, 1, SIM_CHUNKS},
    {"GPU OOM, retried smaller", "gpu-oom@0", AS_FAULT_GPU_OOM, 0, SIM_AS_IS},
    {"Real OOM: a task larger than the GPU's memory", "none", AS_FAULT_NONE, 0,
     SIM_TINY},
};

#define TARGET_NS                                                              \
  200000.0 /* the issue's target: detection + switch < 0.2 ms                  \
            */

/* What a child sends back. */
typedef struct sample {
  int ok;               /* every check passed */
  as_report rep;        /* the faulted run's */
  uint64_t wall_ns;     /* its as_run wall time */
  uint64_t cpu_wall_ns; /* a plain strategy=cpu run of the same batch */
} sample;

typedef struct context {
  bench_session s;
  const bench_workload *w;
  int sim;                     /* ACCELSTRAT_GPU=sim */
  int n;                       /* scenarios run */
  char sim_env[SCENARIOS][96]; /* ACCELSTRAT_SIM per scenario, "" as is */
  sample *x;                   /* x[scenario * reps + round] */
} context;

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: accelstrat-bench fallback [options]\n"
      "GPU failure detection and switch to the CPU: the Medium workload (100\n"
      "align tasks; --quick: 8 short ones) with strategy=gpu and fallback on,\n"
      "under injected gpu-unavailable, a driver error at the first chunk and\n"
      "mid-batch, an out-of-memory retried smaller and, on the sim backend, a\n"
      "real out-of-memory. Each sample runs in a forked process of its own.\n"
      "Reports the events' detect_ns and switch_ns. Exit 1 when a run fails,\n"
      "outputs differ from cpu's or a task is lost.\n"
      "--replay does not apply: synthetic batches only.\n" BENCH_OPTIONS_HELP);
}

/* ---- the child ---- */

/* Creates the GPU context (or finds why there is none) before the timed
 * run: one task with strategy=gpu, fallback on and no fault, into scratch
 * outputs. */
static int warm_gpu(const context *c, const as_batch *b, size_t bytes) {
  as_executor *ex = NULL;
  as_batch one = *b;
  one.n = b->n ? 1 : 0;
  one.out = malloc(bytes ? bytes : 1);
  as_report rep;
  int bad = !one.out ||
            bench_executor(&c->s, bench_strategy(AS_STRATEGY_GPU, 0), 0,
                           AS_FAULT_NONE, 0, &ex) < 0 ||
            as_run(ex, &one, &rep) < 0;
  if (bad)
    fprintf(stderr,
            "accelstrat-bench fallback: the GPU's warm-up run failed\n");
  return bad; /* nothing freed: the child leaves with _exit */
}

/* The faulted run and the plain cpu run swap places every other round, so
 * that neither always runs second. */
static int child_run(const context *c, const scenario *sc, int round,
                     sample *x) {
  const as_batch *b = &c->w->s.batch;
  const size_t bytes = c->w->out_bytes;
  as_executor *cpu = NULL, *ex = NULL;
  as_report rep;
  uint64_t wall;
  unsigned char *ref = malloc(bytes ? bytes : 1);
  if (!ref) return 1;
  if (bench_executor(&c->s, bench_strategy(AS_STRATEGY_CPU, 0), 0,
                     AS_FAULT_NONE, 0, &cpu) < 0 ||
      bench_run_checked(cpu, b, NULL, bytes, &rep, &wall, "fallback reference"))
    return 1;
  memcpy(ref, b->out, bytes);
  if (warm_gpu(c, b, bytes)) return 1; /* the context, or why there is none */
  if (round % 2 && bench_run_checked(cpu, b, ref, bytes, &rep, &x->cpu_wall_ns,
                                     "fallback plain cpu"))
    return 1;
  if (bench_executor(&c->s, bench_strategy(AS_STRATEGY_GPU, 0), 0, sc->fault,
                     sc->chunk, &ex) < 0 ||
      bench_run_checked(ex, b, ref, bytes, &x->rep, &x->wall_ns, sc->name))
    return 1;
  if (x->rep.tasks_on[AS_DEVICE_CPU] + x->rep.tasks_on[AS_DEVICE_GPU] != b->n) {
    fprintf(
        stderr,
        "accelstrat-bench fallback: %s: %llu tasks on the CPU and %llu on the "
        "GPU, of %zu\n",
        sc->name, (unsigned long long)x->rep.tasks_on[AS_DEVICE_CPU],
        (unsigned long long)x->rep.tasks_on[AS_DEVICE_GPU], b->n);
    return 1;
  }
  if (round % 2 == 0)
    return bench_run_checked(cpu, b, ref, bytes, &rep, &x->cpu_wall_ns,
                             "fallback plain cpu");
  return 0; /* nothing freed: the child leaves with _exit */
}

/* What a child is asked to run. */
typedef struct child_job {
  const context *c;
  int k, round;
} child_job;

static int child(void *arg, void *result) {
  const child_job *job = arg;
  sample *mine = result;
  memset(mine, 0, sizeof *mine);
  if (job->c->sim_env[job->k][0])
    setenv("ACCELSTRAT_SIM", job->c->sim_env[job->k], 1);
  mine->ok = child_run(job->c, &scenarios[job->k], job->round, mine) == 0;
  return mine->ok ? 0 : 1;
}

/* Runs one sample in a child; 0, or 1 when it failed (said). */
static int sample_in_child(context *c, int k, int round, sample *x) {
  child_job job = {c, k, round};
  if (bench_in_child(child, &job, x, sizeof *x) != 0 || !x->ok) {
    fprintf(stderr,
            "accelstrat-bench fallback: %s: the sample's process failed\n",
            scenarios[k].name);
    return 1;
  }
  return 0;
}

/* The sim memory each scenario's child runs with: SIM_CHUNKS makes the
 * batch take about four chunks (the offload sizes a chunk to a share of the
 * free memory, AS_GPU_CHUNK_MEM_DIVISOR), SIM_TINY is half the smallest task.
 */
static void sim_settings(context *c) {
  const as_batch *b = &c->w->s.batch;
  size_t most = 0, least = SIZE_MAX;
  for (size_t i = 0; i < b->n; i++) {
    size_t t = as_batch_device_bytes(b, i, i + 1);
    if (t > most) most = t;
    if (t < least) least = t;
  }
  const size_t total = b->n ? as_batch_device_bytes(b, 0, b->n) : 0;
  const size_t chunks = total * AS_GPU_CHUNK_MEM_DIVISOR / 4;
  const char *base = getenv("ACCELSTRAT_SIM");
  for (int k = 0; k < c->n; k++) {
    size_t mem = 0;
    if (scenarios[k].sim_memory == SIM_CHUNKS)
      mem = chunks > most ? chunks : most;
    else if (scenarios[k].sim_memory == SIM_TINY)
      mem = least / 2 ? least / 2 : 1;
    c->sim_env[k][0] = '\0';
    if (c->sim && mem) /* later items win: the user's other settings stay */
      snprintf(c->sim_env[k], sizeof c->sim_env[k], "%.40s%smemory=%zu",
               base && *base ? base : "", base && *base ? "," : "", mem);
  }
}

/* ---- results ---- */

/* The event that moved tasks to the CPU, else the first (an OOM retried on
 * the GPU), else NULL. */
static const as_event *main_event(const as_report *r) {
  for (unsigned i = 0; i < r->n_events && i < AS_MAX_EVENTS; i++)
    if (r->events[i].tasks_moved > 0) return &r->events[i];
  return r->n_events ? &r->events[0] : NULL;
}

/* The numbers taken of each sample; NaN where a sample has none. */
enum {
  DETECT,
  SWITCH,
  TOTAL,
  RUN,
  PLAIN_CPU,
  DIFF,
  SELECT,
  ON_GPU,
  ON_CPU,
  METRICS
};

static double metric(const sample *x, int m) {
  const as_event *e = main_event(&x->rep);
  const double detect = e ? (double)e->detect_ns : NAN;
  const double sw = e && e->tasks_moved ? (double)e->switch_ns : NAN;
  switch (m) {
  case DETECT: return detect;
  case SWITCH: return sw;
  case TOTAL: return e ? detect + (e->tasks_moved ? sw : 0) : NAN;
  case RUN: return (double)x->wall_ns;
  case PLAIN_CPU: return (double)x->cpu_wall_ns;
  case DIFF: return (double)x->wall_ns - (double)x->cpu_wall_ns;
  case SELECT: return (double)x->rep.select_ns;
  case ON_GPU: return (double)x->rep.tasks_on[AS_DEVICE_GPU];
  default: return (double)x->rep.tasks_on[AS_DEVICE_CPU];
  }
}

typedef struct row {
  int events,
      under; /* samples with an event; with detection + switch < target */
  bench_stat st[METRICS];
} row;

/* Per metric, the statistics of the samples that have it (v: scratch). */
static void summarise(const sample *x, int reps, row *r, double *v) {
  memset(r, 0, sizeof *r);
  for (int i = 0; i < reps; i++) {
    r->events += main_event(&x[i].rep) != NULL;
    r->under += metric(&x[i], TOTAL) < TARGET_NS; /* false for NaN */
  }
  for (int m = 0; m < METRICS; m++) {
    int k = 0;
    for (int i = 0; i < reps; i++)
      if (!isnan(v[k] = metric(&x[i], m))) k++;
    r->st[m] = k ? bench_stats(v, k) : (bench_stat){NAN, NAN, NAN};
  }
}

/* "1.23 (1.10–14.1)" in µs (two decimals below 10 µs: injected faults are
 * tens of ns), or "-". */
static const char *fmt_us(bench_stat st, char *buf, size_t len) {
  const double v[3] = {st.median / 1e3, st.min / 1e3, st.max / 1e3};
  char s[3][24];
  for (int i = 0; i < 3; i++)
    snprintf(s[i], sizeof s[i], v[i] < 10 ? "%.2f" : "%.1f", v[i]);
  if (isnan(st.median))
    snprintf(buf, len, "-");
  else
    snprintf(buf, len, "%s (%s–%s)", s[0], s[1], s[2]);
  return buf;
}

/* What the first sample's run did; "varies" when the samples differ. */
static const char *what_happened(const sample *x, int reps, char *buf,
                                 size_t len) {
  const as_event *e = main_event(&x[0].rep);
  for (int i = 1; i < reps; i++) {
    const as_event *f = main_event(&x[i].rep);
    if (!e != !f || (e && (e->cause != f->cause || e->chunk != f->chunk)))
      return snprintf(buf, len, "varies between samples (see the JSON)"), buf;
  }
  char where[32];
  if (e && e->chunk < 0)
    snprintf(where, sizeof where, "at selection");
  else if (e)
    snprintf(where, sizeof where, "at chunk %lld", (long long)e->chunk);
  if (!e)
    snprintf(
        buf, len,
        "no event: the GPU ran the whole batch (the fault's chunk was never "
        "reached)");
  else if (e->tasks_moved)
    snprintf(buf, len, "%s %s (%.60s): %llu tasks to the CPU",
             as_event_cause_name(e->cause), where, e->detail,
             (unsigned long long)e->tasks_moved);
  else
    snprintf(buf, len, "%s %s (%.60s): retried smaller, stayed on the GPU",
             as_event_cause_name(e->cause), where, e->detail);
  return buf;
}

static void print_header(context *c, int gpu) {
  bench_text *t = &c->s.text;
  const bench_machine *m = &c->s.machine;
  bench_printf(
      t,
      "\n## fallback: Fallback Performance (%s, %zu tasks, strategy=gpu)\n\n",
      c->w->name, c->w->s.batch.n);
  if (gpu && m->gpu_simulated)
    bench_printf(
        t,
        "**sim backend: the \"GPU\" is host code on one thread standing in for "
        "a GPU; these are not GPU numbers.**\n\n");
  if (!gpu)
    bench_printf(
        t,
        "**No usable GPU (%s): strategy=gpu falls back at selection whatever "
        "the fault, so every scenario below is the unavailable path.**\n\n",
        m->gpu_why);
  bench_printf(
      t,
      "Method: %s; %d sample%s per scenario, each in a fresh forked process "
      "(scenarios rotated round by round); %d CPU thread%s at most; outputs "
      "checked against a strategy=cpu run and every task counted on exactly "
      "one device.\n\n",
      c->w->source, c->s.opt.reps, c->s.opt.reps == 1 ? "" : "s", m->threads,
      m->threads == 1 ? "" : "s");
  bench_printf(
      t,
      "| Scenario | Detection Time (µs) | Switch Time (µs) | Total Fallback "
      "Latency (µs) | What happened | Tasks on GPU / CPU | Run / plain cpu run "
      "(ms) |\n|---|---:|---:|---:|---|---:|---:|\n");
}

static void print_row(context *c, int k, const row *r) {
  const sample *x = &c->x[k * c->s.opt.reps];
  char d[96], sw[96], tot[96], what[200], run[24], cpu[24], diff[24];
  bench_fmt_ms(r->st[RUN].median, run, sizeof run);
  bench_fmt_ms(r->st[PLAIN_CPU].median, cpu, sizeof cpu);
  bench_fmt_ms(fabs(r->st[DIFF].median), diff, sizeof diff);
  bench_printf(
      &c->s.text, "| %s | %s | %s | %s | %s | %.0f / %.0f | %s / %s (%s%s) |\n",
      scenarios[k].name, fmt_us(r->st[DETECT], d, sizeof d),
      fmt_us(r->st[SWITCH], sw, sizeof sw),
      fmt_us(r->st[TOTAL], tot, sizeof tot),
      what_happened(x, c->s.opt.reps, what, sizeof what), r->st[ON_GPU].median,
      r->st[ON_CPU].median, run, cpu, r->st[DIFF].median < 0 ? "-" : "+", diff);
}

static void print_notes(context *c, int gpu, const row *rows) {
  bench_text *t = &c->s.text;
  const int reps = c->s.opt.reps;
  bench_printf(
      t,
      "\nDetection: the event's detect_ns; for a failure at selection (chunk "
      "-1: "
      "no usable GPU) the GPU availability check, for a failed chunk the "
      "chunk's "
      "call from start to its classified error. Injected faults are raised at "
      "the backend boundary without calling the device, so their detection is "
      "the classification alone, not a real driver's error latency%s. Switch: "
      "the event's switch_ns; for a failed chunk from the classification to "
      "the "
      "CPU starting the unfinished tasks (the GPU-driving region ended), at "
      "selection until the fallback is recorded (the CPU run starts right "
      "after "
      "selection, untimed); \"-\" for an OOM retried on the GPU, which does "
      "not "
      "switch. Total: detection + switch per sample, median (min–max). Tasks: "
      "medians of the report's tasks_on. Run / plain cpu run: the faulted "
      "as_run's wall time against a strategy=cpu run of the same batch in the "
      "same process, before or after it in alternate rounds (median of each, "
      "and "
      "of the per-sample difference): the whole "
      "cost of the failed attempt.%s\n",
      c->sim ? "; the sim's real OOM is its memory check" : "",
      gpu ? " Every process created the GPU context before its timed run, so "
            "no "
            "cold start is in these numbers."
          : "");
  if (c->sim && gpu)
    bench_printf(
        t,
        "Mid-batch on the sim: the child sets ACCELSTRAT_SIM=%s so that the "
        "batch takes several chunks; chunk 0 runs on the sim, chunk 1 fails. "
        "Real OOM: ACCELSTRAT_SIM=%s, below the smallest task.\n",
        c->sim_env[DRIVER_MID], c->sim_env[REAL_OOM]);
  else if (gpu)
    bench_printf(
        t,
        "Mid-batch: the GPU sizes chunks to half its free memory, so this "
        "batch may well be one chunk, and a fault at chunk 1 is then never "
        "reached (\"no event\" above); the sim backend's memory limit is what "
        "makes several chunks. A real out-of-memory is measured on the sim "
        "backend only.\n");

  bench_printf(t, "\n### Summary\n\n");
  int under = 0, events = 0;
  for (int k = 0; k < c->n; k++) {
    const row *r = &rows[k];
    char tot[96];
    under += r->under;
    events += r->events;
    if (!r->events)
      bench_printf(t, "- %s: no fallback happened in any of %d samples\n",
                   scenarios[k].name, reps);
    else
      bench_printf(t, "- %s: total %s µs; under 0.2 ms in %d of %d samples\n",
                   scenarios[k].name, fmt_us(r->st[TOTAL], tot, sizeof tot),
                   r->under, r->events);
  }
  bench_printf(
      t,
      "- target (detection + switch under 0.2 ms): %d of %d samples with an "
      "event (%s)\n",
      under, events, under == events ? "met" : "not met");
  bench_printf(t,
               "- GPU unavailable: selection took %.1f µs (median); the run "
               "took %s%.3f ms "
               "against a plain cpu run (median per-sample difference)\n",
               rows[UNAVAILABLE].st[SELECT].median / 1e3,
               rows[UNAVAILABLE].st[DIFF].median < 0 ? "-" : "+",
               fabs(rows[UNAVAILABLE].st[DIFF].median) / 1e6);
  if (!gpu)
    bench_printf(t, "- GPU off: every scenario is the unavailable path\n");
}

static void write_json(context *c, const row *rows) {
  bench_json *j = &c->s.json;
  const int reps = c->s.opt.reps;
  as__json_string(j, "time", "ns; detect/switch from the report's events");
  bench_workload_json(j, "workload", c->w);
  as__json_double(j, "target_total_ns", TARGET_NS);
  as__json_array_begin(j, "scenarios");
  for (int k = 0; k < c->n; k++) {
    const row *r = &rows[k];
    as__json_object_begin(j, NULL);
    as__json_string(j, "scenario", scenarios[k].name);
    as__json_string(j, "inject", scenarios[k].inject);
    if (c->sim_env[k][0])
      as__json_string(j, "accelstrat_sim", c->sim_env[k]);
    else
      as__json_null(j, "accelstrat_sim");
    bench_json_stat(j, "detect_ns", r->st[DETECT]);
    bench_json_stat(j, "switch_ns", r->st[SWITCH]);
    bench_json_stat(j, "total_ns", r->st[TOTAL]);
    bench_json_stat(j, "run_ns", r->st[RUN]);
    bench_json_stat(j, "plain_cpu_ns", r->st[PLAIN_CPU]);
    bench_json_stat(j, "run_minus_cpu_ns", r->st[DIFF]);
    bench_json_stat(j, "select_ns", r->st[SELECT]);
    as__json_i64(j, "samples_with_event", r->events);
    as__json_i64(j, "samples_under_target", r->under);
    as__json_array_begin(j, "samples");
    for (int i = 0; i < reps; i++) {
      const sample *x = &c->x[k * reps + i];
      as__json_object_begin(j, NULL);
      as__json_i64(j, "round", i + 1);
      as__json_u64(j, "wall_ns", x->wall_ns);
      as__json_u64(j, "plain_cpu_wall_ns", x->cpu_wall_ns);
      as_report_write_json(&x->rep, as__json_value(j, "report"));
      as__json_object_end(j);
    }
    as__json_array_end(j);
    as__json_object_end(j);
  }
  as__json_array_end(j);
}

int bench_fallback(int argc, char **argv) {
  context c;
  memset(&c, 0, sizeof c);
  int status;
  if (!bench_begin(&c.s, "fallback", argc, argv, usage, BENCH_LATE_MACHINE,
                   &status))
    return status;
  status = 1;
  const int reps = c.s.opt.reps;
  row rows[SCENARIOS];
  double *scratch = NULL;
  /* The reference's Medium workload, never a replayed batch. Only the
   * environment is read before the children: no OpenMP, no GPU. */
  bench_workload w;
  int made = bench_workload_reference(&w, BENCH_MEDIUM, &c.s.opt) == 0;
  if (!made) goto done;
  c.w = &w;
  c.sim = strcmp(bench_gpu_choice(), "sim") == 0;
  c.n = c.sim ? SCENARIOS : REAL_OOM; /* the real OOM needs the sim's limit */
  sim_settings(&c);
  c.x = calloc((size_t)(c.n * reps), sizeof *c.x);
  scratch = malloc((size_t)reps * sizeof *scratch);
  if (!c.x || !scratch) goto done;
  for (int round = 0; round < reps; round++)
    for (int i = 0; i < c.n; i++) {
      int k = (round + i) % c.n;
      if (sample_in_child(&c, k, round, &c.x[k * reps + round])) goto done;
    }
  /* Only now: the parent's own probe (GPU context, OpenMP team). */
  if (bench_machine_now(&c.s) < 0) goto done;
  const int gpu = c.s.machine.gpu_usable;
  print_header(&c, gpu);
  for (int k = 0; k < c.n; k++) {
    summarise(&c.x[k * reps], reps, &rows[k], scratch);
    print_row(&c, k, &rows[k]);
  }
  print_notes(&c, gpu, rows);
  write_json(&c, rows);
  status = 0;
done:
  free(scratch);
  free(c.x);
  if (made) as__synth_free(&w.s);
  return bench_end(&c.s, status);
}
