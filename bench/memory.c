/* accelstrat-bench memory: what a run costs in memory, against the direct
 * OpenMP loop (the reference's "Memory Overhead Analysis").
 *
 * a. Heap through the runtime's allocation path (runtime/alloc.h, where the
 *    executor's and the kernels' blocks are counted): calls, bytes and peak
 *    live bytes of one as_run with strategy=cpu (executor made beforehand)
 *    and of one direct run, interleaved; what as_executor_create takes; and
 *    the sizes of the public structs a run uses. Exact: counters and sizeof.
 * b. Peak RSS (ru_maxrss) of fresh processes: each sample a fork()ed child
 *    that builds the workload and runs one variant once (or nothing: the
 *    baseline), sending its ru_maxrss and a hash of its outputs through a
 *    pipe; the parent checks that every run's hash is the same. All forking
 *    happens first, while the parent has neither an OpenMP team nor a GPU
 *    context (BENCH_LATE_MACHINE). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "support/alloc.h"
#include "bench.h"

/* The reference's Medium, Large and XL (--quick: their tiny versions). */
#define SIZES 3
static const int sizes[SIZES] = {BENCH_MEDIUM, BENCH_LARGE, BENCH_XL};

enum { BASE, DIRECT, RUNTIME, KINDS };
static const char *const kind_names[KINDS] = {"build_only", "direct_omp",
                                              "accelstrat_cpu"};
enum { CALLS, BYTES, PEAK, WALL, HEAP_FIELDS };
static const char *const heap_names[HEAP_FIELDS] = {"calls", "bytes",
                                                    "peak_bytes", "wall_ns"};

/* What a child sends its parent. */
typedef struct rss_sample {
  long maxrss_kib;
  uint64_t hash; /* of the outputs; 0 for the baseline */
  int rc, threads;
} rss_sample;

typedef struct size_row {
  size_t tasks;
  double *rss[KINDS];           /* KiB, [round] */
  int *threads;                 /* the accelstrat child's report.threads */
  double *heap[2][HEAP_FIELDS]; /* [DIRECT-1 or RUNTIME-1][field][round] */
  uint64_t retained[2];         /* live bytes a run left behind (max) */
  int heap_threads;             /* report.threads of part a's runs */
  size_t input_bytes, out_bytes;
} size_row;

typedef struct context {
  bench_session *s;
  size_row *z;
  bench_workload *w;
  as_executor *ex;
  const unsigned char *ref;
  int threads, calls[2];
} context;

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: accelstrat-bench memory [options]\n"
      "Memory of strategy=cpu against a direct OpenMP loop at 100, 1,000 and\n"
      "10,000 align tasks: heap through the runtime's counted allocation path\n"
      "per run (calls, bytes, peak), what creating an executor takes, the\n"
      "public structs' sizes, and the peak RSS of fresh processes (forked\n"
      "children) that build the workload and run it once. Outputs are\n"
      "checked; exit 1 when a run fails or they differ.\n" BENCH_OPTIONS_HELP);
}

static uint64_t fnv1a(const void *p, size_t n) {
  const unsigned char *b = p;
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
  return h;
}

static size_t size_tasks(const bench_session *s, int k) {
  return bench_reference_tasks(sizes[k], s->opt.quick);
}

/* ---- b: peak RSS of fresh processes ---- */

/* What a child is asked to run. */
typedef struct child_job {
  bench_session *s;
  int k, kind, threads;
} child_job;

static int child(void *arg, void *result) {
  const child_job *job = arg;
  bench_session *s = job->s;
  const int kind = job->kind, threads = job->threads;
  rss_sample *out = result;
  *out = (rss_sample){0, 0, 0, 0};
  bench_workload w;
  out->rc = bench_workload_reference(&w, sizes[job->k], &s->opt);
  /* Poisoned so that a task left unwritten shows in the hash. */
  if (out->rc == 0 && kind != BASE)
    memset(w.s.batch.out, BENCH_POISON, w.out_bytes);
  if (out->rc == 0 && kind == DIRECT) {
    out->rc = bench_direct_omp(&w.s.batch, threads);
    out->threads = threads;
  } else if (out->rc == 0 && kind == RUNTIME) {
    as_executor *ex;
    as_report rep;
    out->rc = bench_executor(s, bench_strategy(AS_STRATEGY_CPU, 0), threads,
                             AS_FAULT_NONE, 0, &ex);
    if (out->rc == 0) out->rc = as_run(ex, &w.s.batch, &rep);
    if (out->rc == 0) out->threads = rep.threads;
    /* Not destroyed: that would save what the run taught the model, and
     * samples must not teach one another. The process ends here. */
  }
  if (out->rc == 0 && kind != BASE)
    out->hash = fnv1a(w.s.batch.out, w.out_bytes);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  out->maxrss_kib = ru.ru_maxrss;
  return out->rc;
}

/* One child; 0, or 1 after saying what failed. */
static int fork_sample(bench_session *s, int k, int kind, int threads,
                       rss_sample *out) {
  child_job job = {s, k, kind, threads};
  int rc = bench_in_child(child, &job, out, sizeof *out);
  if (rc != 0) {
    fprintf(stderr, "accelstrat-bench memory: %s child, %s: %s\n",
            kind_names[kind], bench_reference_name(sizes[k]),
            rc > 0 && out->rc ? as_strerror(out->rc) : "failed");
    return 1;
  }
  return 0;
}

/* Every size's rounds: build only, direct and accelstrat, rotated. */
static int measure_rss(bench_session *s, size_row *z, int threads) {
  const int reps = s->opt.reps;
  for (int k = 0; k < SIZES; k++) {
    uint64_t hash = 0;
    fprintf(stderr,
            "accelstrat-bench memory: peak RSS, %s (%zu tasks), %d rounds\n",
            bench_reference_name(sizes[k]), size_tasks(s, k), reps);
    for (int round = 0; round < reps; round++)
      for (int i = 0; i < KINDS; i++) {
        const int kind = (round + i) % KINDS;
        rss_sample out;
        if (fork_sample(s, k, kind, threads, &out)) return 1;
        z[k].rss[kind][round] = (double)out.maxrss_kib;
        if (kind == RUNTIME) z[k].threads[round] = out.threads;
        if (kind == BASE) continue;
        if (!hash) hash = out.hash;
        if (out.hash != hash) {
          fprintf(
              stderr,
              "accelstrat-bench memory: %s, %s child: outputs differ from an "
              "earlier child's (hash %016llx, not %016llx)\n",
              bench_reference_name(sizes[k]), kind_names[kind],
              (unsigned long long)out.hash, (unsigned long long)hash);
          return 1;
        }
      }
  }
  return 0;
}

/* ---- a: the counted allocation path ---- */

static int heap_variant(void *arg, int v, double *ns) {
  context *c = arg;
  const int round = c->calls[v]++ - 1; /* -1: the warm-up */
  const as_batch *b = &c->w->s.batch;
  as_alloc_stats before, after;
  as_report rep;
  uint64_t wall;
  int rc = 0;
  memset(b->out, BENCH_POISON, c->w->out_bytes);
  as__alloc_peak_reset();
  as__alloc_stats_get(&before);
  if (v == 0) {
    const uint64_t t0 = as__now_ns();
    rc = bench_direct_omp(b, c->threads);
    wall = as__now_ns() - t0;
    as__alloc_stats_get(&after);
    if (rc || (c->ref && memcmp(b->out, c->ref, c->w->out_bytes) != 0)) {
      fprintf(stderr, "accelstrat-bench memory: direct OpenMP, %s: %s\n",
              c->w->name,
              rc ? as_strerror(rc) : "outputs differ from its first run");
      return 1;
    }
  } else {
    rc = bench_run_checked(c->ex, b, c->ref, c->w->out_bytes, &rep, &wall,
                           "memory accelstrat cpu");
    as__alloc_stats_get(&after);
    if (rc) return rc;
    if (c->z) c->z->heap_threads = rep.threads;
  }
  *ns = (double)wall;
  if (round < 0 || !c->z) return 0;
  double *const *h = c->z->heap[v];
  h[CALLS][round] = (double)(after.calls - before.calls);
  h[BYTES][round] = (double)(after.bytes - before.bytes);
  h[PEAK][round] = (double)(after.peak - before.live);
  h[WALL][round] = (double)wall;
  if (after.live > before.live && after.live - before.live > c->z->retained[v])
    c->z->retained[v] = after.live - before.live;
  return 0;
}

/* Bytes in B, KiB or MiB; sign: a leading + for a difference. */
static const char *fmt_bytes_sign(double b, int sign, char *buf, size_t len) {
  const char *plus = sign && b >= 0 ? "+" : "";
  if (!isfinite(b))
    snprintf(buf, len, "-");
  else if (fabs(b) < 10 * 1024)
    snprintf(buf, len, "%s%.0f B", plus, b);
  else if (fabs(b) < 10 * 1048576.0)
    snprintf(buf, len, "%s%.1f KiB", plus, b / 1024);
  else
    snprintf(buf, len, "%s%.1f MiB", plus, b / 1048576);
  return buf;
}

static const char *fmt_bytes(double b, char *buf, size_t len) {
  return fmt_bytes_sign(b, 0, buf, len);
}

static const char *fmt_count(double v, int bytes, char *buf, size_t len) {
  if (bytes) return fmt_bytes(v, buf, len);
  snprintf(buf, len, "%.0f", v);
  return buf;
}

/* "median", or "median (min–max)" when the rounds differ. */
static const char *fmt_field(const double *v, int n, int bytes, char *buf,
                             size_t len) {
  bench_stat st = bench_stats(v, n);
  char m[24], lo[24], hi[24];
  fmt_count(st.median, bytes, m, sizeof m);
  if (st.min == st.max)
    snprintf(buf, len, "%s", m);
  else
    snprintf(buf, len, "%s (%s–%s)", m, fmt_count(st.min, bytes, lo, sizeof lo),
             fmt_count(st.max, bytes, hi, sizeof hi));
  return buf;
}

static void json_size(bench_session *s, const size_row *z,
                      const bench_workload *w) {
  const int reps = s->opt.reps;
  bench_json *j = &s->json;
  as__json_object_begin(j, NULL);
  bench_workload_json(j, "workload", w);
  as__json_object_begin(j, "heap");
  for (int v = 0; v < 2; v++) {
    as__json_object_begin(j, kind_names[DIRECT + v]);
    for (int f = 0; f < HEAP_FIELDS; f++)
      bench_json_samples(j, heap_names[f], z->heap[v][f], reps);
    as__json_u64(j, "retained_bytes_max", z->retained[v]);
    as__json_object_end(j);
  }
  as__json_object_end(j);
  as__json_object_begin(j, "peak_rss_kib");
  for (int kind = 0; kind < KINDS; kind++)
    bench_json_samples(j, kind_names[kind], z->rss[kind], reps);
  as__json_object_end(j);
  as__json_array_begin(j, "accelstrat_child_threads");
  for (int i = 0; i < reps; i++) as__json_i64(j, NULL, z->threads[i]);
  as__json_array_end(j);
  as__json_object_end(j);
}

/* Part a at size k: the workload, the direct run's reference, the rounds,
 * and the size's JSON. 0, 1 (said) or a negative as_errno. */
static int heap_row(context *c, size_row *z, int k) {
  bench_session *s = c->s;
  const int reps = s->opt.reps;
  bench_workload w;
  int rc = bench_workload_reference(&w, sizes[k], &s->opt);
  if (rc < 0) return rc;
  z->input_bytes = w.s.batch.offsets ? w.s.batch.offsets[w.s.batch.n] : 0;
  z->out_bytes = w.out_bytes;
  unsigned char *ref = malloc(w.out_bytes ? w.out_bytes : 1);
  double *ns = calloc((size_t)(2 * reps), sizeof *ns), first;
  c->w = &w;
  c->ref = NULL;
  c->z = NULL; /* the reference run is not a sample */
  c->calls[0] = c->calls[1] = 0;
  rc = ref && ns ? heap_variant(c, 0, &first) : AS_ENOMEM;
  if (rc == 0) {
    memcpy(ref, w.s.batch.out, w.out_bytes);
    c->ref = ref;
    c->z = z;
    c->calls[0] = 0;
    rc = bench_interleave(2, reps, heap_variant, c, ns);
  }
  if (rc == 0) json_size(s, z, &w);
  free(ns);
  free(ref);
  as__synth_free(&w.s);
  return rc;
}

/* ---- output ---- */

static void print_components(bench_session *s, const as_alloc_stats *create) {
  bench_text *t = &s->text;
  bench_printf(t, "\n### Per-execution overhead\n\n| Component | Memory Usage "
                  "|\n|---|---:|\n");
  bench_printf(t,
               "| as_executor (as_executor_create: %llu block%s through the "
               "allocation path; "
               "holds an as_config and an as_capabilities) | %llu bytes |\n",
               (unsigned long long)create->calls, create->calls == 1 ? "" : "s",
               (unsigned long long)create->bytes);
  bench_printf(t,
               "| as_config (sizeof; the caller's, copied into the executor) | "
               "%zu bytes |\n",
               sizeof(as_config));
  bench_printf(
      t, "| as_capabilities (sizeof; inside the executor) | %zu bytes |\n",
      sizeof(as_capabilities));
  bench_printf(t,
               "| as_batch (sizeof; the caller's, the direct loop's too) | %zu "
               "bytes |\n",
               sizeof(as_batch));
  bench_printf(
      t, "| as_report (sizeof; the caller's, filled by as_run) | %zu bytes |\n",
      sizeof(as_report));
  bench_printf(
      t,
      "| **Total** (executor + as_report: what a direct loop does not have) | "
      "**%llu bytes** |\n",
      (unsigned long long)(create->bytes + sizeof(as_report)));
}

/* Median of the per-pair differences accelstrat − direct of a heap field. */
static double heap_diff(const size_row *z, int field, int reps) {
  return bench_diff_stats(z->heap[1][field], z->heap[0][field], reps).median;
}

static void print_heap(bench_session *s, const size_row *z, int threads) {
  const int reps = s->opt.reps;
  bench_text *t = &s->text;
  bench_printf(t,
               "\n### Heap per run (the runtime's counted allocation path)\n\n"
               "| Tasks | Direct OpenMP: calls, bytes, peak | accelstrat cpu: "
               "calls, bytes, "
               "peak | Overhead (peak; bytes) |\n|---:|---:|---:|---:|\n");
  for (int k = 0; k < SIZES; k++) {
    char cell[2][320], f[3][96], dp[24], db[24];
    for (int v = 0; v < 2; v++) {
      fmt_field(z[k].heap[v][CALLS], reps, 0, f[0], sizeof f[0]);
      fmt_field(z[k].heap[v][BYTES], reps, 1, f[1], sizeof f[1]);
      fmt_field(z[k].heap[v][PEAK], reps, 1, f[2], sizeof f[2]);
      snprintf(cell[v], sizeof cell[v], "%s, %s, peak %s", f[0], f[1], f[2]);
    }
    size_t n = strlen(cell[1]);
    bench_threads_note(&z[k].heap_threads, 1, threads, cell[1] + n,
                       sizeof cell[1] - n);
    fmt_bytes_sign(heap_diff(&z[k], PEAK, reps), 1, dp, sizeof dp);
    fmt_bytes_sign(heap_diff(&z[k], BYTES, reps), 1, db, sizeof db);
    bench_printf(t, "| %zu (%s) | %s | %s | %s; %s |\n", z[k].tasks,
                 bench_reference_name(sizes[k]), cell[0], cell[1], dp, db);
  }
}

/* Per-pair accelstrat − direct of peak RSS, in KiB and as a ratio. */
static void rss_overhead(const size_row *z, int reps, bench_stat *kib,
                         bench_stat *ratio) {
  *kib = bench_diff_stats(z->rss[RUNTIME], z->rss[DIRECT], reps);
  *ratio = bench_ratio_stats(z->rss[RUNTIME], z->rss[DIRECT], reps);
}

static void print_rss(bench_session *s, const size_row *z, int threads) {
  const int reps = s->opt.reps;
  bench_text *t = &s->text;
  bench_printf(
      t, "\n### Task memory scaling (peak RSS of a fresh process, KiB)\n\n"
         "| Tasks | Build only | Direct OpenMP | accelstrat | Run's increment "
         "direct / "
         "accelstrat | Overhead |\n|---:|---:|---:|---:|---:|---:|\n");
  for (int k = 0; k < SIZES; k++) {
    char c[KINDS][96];
    bench_stat st[KINDS], d, ratio;
    for (int kind = 0; kind < KINDS; kind++) {
      st[kind] = bench_stats(z[k].rss[kind], reps);
      fmt_field(z[k].rss[kind], reps, 0, c[kind], sizeof c[kind]);
    }
    size_t n = strlen(c[RUNTIME]);
    bench_threads_note(z[k].threads, reps, threads, c[RUNTIME] + n,
                       sizeof c[RUNTIME] - n);
    rss_overhead(&z[k], reps, &d, &ratio);
    bench_printf(t,
                 "| %zu (%s) | %s | %s | %s | %+.0f / %+.0f | %+.0f KiB "
                 "(%+.2f%%; pairs %+.0f "
                 "to %+.0f KiB) |\n",
                 z[k].tasks, bench_reference_name(sizes[k]), c[BASE], c[DIRECT],
                 c[RUNTIME], st[DIRECT].median - st[BASE].median,
                 st[RUNTIME].median - st[BASE].median, d.median,
                 100 * (ratio.median - 1), d.min, d.max);
  }
}

static void print_notes(bench_session *s, const size_row *z, int threads) {
  char in[24], out[24];
  bench_printf(
      &s->text,
      "\nHeap: blocks taken through runtime/alloc.h, where the executor's and "
      "the "
      "built-in kernels' heap blocks are counted, around one run: calls, bytes "
      "asked for, and peak = the most live bytes during the run above those "
      "live "
      "before it; median (min–max when the rounds differ) of %d rounds, the "
      "two "
      "interleaved after a discarded warm-up each, outputs checked every run. "
      "accelstrat cpu: as_run of an executor with strategy=cpu and threads=%d, "
      "created beforehand ([N threads]: the runtime ran fewer threads than "
      "asked: "
      "its model runs a batch too small to pay for a team on one thread); "
      "direct OpenMP: "
      "`#pragma omp parallel for "
      "schedule(dynamic)` calling the kernel once a task. The align kernel "
      "takes "
      "one workspace per call: the direct loop calls it once a task, the "
      "runtime "
      "once per range of tasks (as__cpu_run's guided ranges), sized for the "
      "range's largest task. Overhead: median of the per-pair differences "
      "accelstrat − direct. The "
      "outputs (%s at %zu tasks) and inputs (%s) are the caller's buffers in "
      "both, "
      "in neither count; a block's header (sizeof(max_align_t)), malloc's own "
      "bookkeeping, stacks and the OpenMP runtime's memory are not counted "
      "either "
      "(the peak RSS below has them).\n",
      s->opt.reps, threads,
      fmt_bytes((double)z[SIZES - 1].out_bytes, out, sizeof out),
      z[SIZES - 1].tasks,
      fmt_bytes((double)z[SIZES - 1].input_bytes, in, sizeof in));
  bench_printf(
      &s->text,
      "\nPeak RSS: ru_maxrss of a fork()ed child, forked before this process "
      "ran "
      "any OpenMP or touched the GPU, that builds the workload and runs its "
      "variant once (build only: runs nothing); median (min–max) of %d rounds, "
      "the "
      "three kinds rotated each round, no warm-up (each sample is a fresh "
      "process by design). Every child hashes its outputs (FNV-1a) and every "
      "hash "
      "must be equal. Run's increment: median minus build only's. Overhead: "
      "median "
      "of the per-pair differences accelstrat − direct in KiB, and of the "
      "per-pair "
      "ratios − 1. [N threads]: as above. RSS moves by pages and with what the "
      "OpenMP "
      "runtime and libc "
      "map: small differences are noise (see the range).%s\n",
      s->opt.reps,
      s->machine.gpu_simulated ? " The GPU (sim backend) is not used here."
                               : "");
}

static void print_summary(bench_session *s, const size_row *z,
                          const as_alloc_stats *create) {
  const int reps = s->opt.reps;
  bench_printf(&s->text, "\n### Summary\n\n");
  bench_printf(
      &s->text,
      "- as_executor_create: %llu bytes in %llu block%s; as_report %zu "
      "bytes\n",
      (unsigned long long)create->bytes, (unsigned long long)create->calls,
      create->calls == 1 ? "" : "s", sizeof(as_report));
  bench_printf(
      &s->text,
      "- heap per run, accelstrat − direct (median per pair, peak; bytes):");
  for (int k = 0; k < SIZES; k++) {
    char p[24], b[24];
    bench_printf(&s->text, "%s %zu tasks: peak %s, bytes %s", k ? ";" : "",
                 z[k].tasks,
                 fmt_bytes_sign(heap_diff(&z[k], PEAK, reps), 1, p, sizeof p),
                 fmt_bytes_sign(heap_diff(&z[k], BYTES, reps), 1, b, sizeof b));
  }
  bench_printf(&s->text,
               "\n- peak RSS overhead, accelstrat − direct (median per pair):");
  as__json_object_begin(&s->json, "summary");
  as__json_array_begin(&s->json, "rss_overhead");
  for (int k = 0; k < SIZES; k++) {
    bench_stat d, ratio;
    rss_overhead(&z[k], reps, &d, &ratio);
    bench_printf(&s->text, "%s %zu tasks: %+.0f KiB (%+.2f%%)", k ? ";" : "",
                 z[k].tasks, d.median, 100 * (ratio.median - 1));
    as__json_object_begin(&s->json, NULL);
    as__json_u64(&s->json, "tasks", z[k].tasks);
    as__json_double(&s->json, "kib", d.median);
    as__json_double(&s->json, "ratio", ratio.median);
    as__json_object_end(&s->json);
  }
  as__json_array_end(&s->json);
  as__json_object_end(&s->json);
  bench_printf(&s->text, "%s\n",
               s->opt.quick ? " (--quick: tiny workloads)" : "");
}

/* ---- the subcommand ---- */

/* What creating the executor took (create, made relative to before), and
 * the public structs' sizes, into the JSON. */
static void record_create(bench_session *s, const as_alloc_stats *before,
                          as_alloc_stats *create) {
  create->calls -= before->calls;
  create->bytes -= before->bytes;
  create->live -= before->live;
  as__json_object_begin(&s->json, "executor_create");
  as__json_u64(&s->json, "calls", create->calls);
  as__json_u64(&s->json, "bytes", create->bytes);
  as__json_u64(&s->json, "live_bytes", create->live);
  as__json_object_end(&s->json);
  as__json_object_begin(&s->json, "sizeof");
  as__json_u64(&s->json, "as_report", sizeof(as_report));
  as__json_u64(&s->json, "as_config", sizeof(as_config));
  as__json_u64(&s->json, "as_capabilities", sizeof(as_capabilities));
  as__json_u64(&s->json, "as_batch", sizeof(as_batch));
  as__json_object_end(&s->json);
}

int bench_memory(int argc, char **argv) {
  bench_session s;
  int status;
  if (!bench_begin(&s, "memory", argc, argv, usage, BENCH_LATE_MACHINE,
                   &status))
    return status;
  const int reps = s.opt.reps, threads = bench_thread_count(&s);
  size_row z[SIZES];
  memset(z, 0, sizeof z);
  int ok = 1;
  for (int k = 0; k < SIZES; k++) {
    z[k].tasks = size_tasks(&s, k);
    z[k].threads = calloc((size_t)reps, sizeof *z[k].threads);
    ok &= z[k].threads != NULL;
    for (int kind = 0; kind < KINDS; kind++)
      ok &= (z[k].rss[kind] = calloc((size_t)reps, sizeof(double))) != NULL;
    for (int v = 0; v < 2; v++)
      for (int f = 0; f < HEAP_FIELDS; f++)
        ok &= (z[k].heap[v][f] = calloc((size_t)reps, sizeof(double))) != NULL;
  }
  context c = {.s = &s, .threads = threads};
  as_alloc_stats before, create = {0, 0, 0, 0};
  /* b first: no OpenMP team, no GPU context in this process yet. */
  if (!ok || measure_rss(&s, z, threads) || bench_machine_now(&s) < 0) goto out;

  as__alloc_stats_get(&before);
  if (bench_executor(&s, bench_strategy(AS_STRATEGY_CPU, 0), threads,
                     AS_FAULT_NONE, 0, &c.ex) < 0)
    goto out;
  as__alloc_stats_get(&create);
  record_create(&s, &before, &create);
  as__json_array_begin(&s.json, "sizes");
  for (int k = 0; k < SIZES; k++) {
    fprintf(
        stderr,
        "accelstrat-bench memory: heap per run, %s (%zu tasks), %d rounds\n",
        bench_reference_name(sizes[k]), z[k].tasks, reps);
    int rc = heap_row(&c, &z[k], k);
    if (rc < 0)
      fprintf(stderr, "accelstrat-bench memory: %s: %s\n",
              bench_reference_name(sizes[k]), as_strerror(rc));
    if (rc) {
      as__json_array_end(&s.json);
      goto out;
    }
  }
  as__json_array_end(&s.json);

  bench_printf(&s.text,
               "\n## memory: strategy=cpu against a direct OpenMP loop\n\n");
  bench_printf(&s.text,
               "%d round%s per size, %d thread%s; Medium, Large and XL align "
               "workloads%s\n",
               reps, reps == 1 ? "" : "s", threads, threads == 1 ? "" : "s",
               s.opt.quick ? " (--quick: tiny versions, a smoke test)" : "");
  print_components(&s, &create);
  print_heap(&s, z, threads);
  print_rss(&s, z, threads);
  print_notes(&s, z, threads);
  print_summary(&s, z, &create);
  status = 0;
out:
  as_executor_destroy(c.ex);
  for (int k = 0; k < SIZES; k++) {
    free(z[k].threads);
    for (int kind = 0; kind < KINDS; kind++) free(z[k].rss[kind]);
    for (int v = 0; v < 2; v++)
      for (int f = 0; f < HEAP_FIELDS; f++) free(z[k].heap[v][f]);
  }
  return bench_end(&s, status);
}
