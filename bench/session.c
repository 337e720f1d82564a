/* What accelstrat-bench's subcommands share beyond the machine, the options
 * and the workloads: a subcommand's files, checked runs, the direct OpenMP
 * baseline, interleaved rounds, statistics and plots (bench.h). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <omp.h>

#include "bench.h"
#include "support/fsutil.h"

/* ---- a subcommand's run ---- */

int bench_machine_now(bench_session *s) {
  if (s->machine_known) return 0;
  int rc = bench_machine_detect(&s->machine, s->opt.threads);
  if (rc < 0) {
    fprintf(stderr, "accelstrat-bench %s: describing the machine: %s\n",
            s->name, as_strerror(rc));
    return rc;
  }
  s->machine_known = 1;
  bench_machine_print(&s->text, &s->machine);
  bench_printf(&s->text, "; seed %llu\n", (unsigned long long)s->opt.seed);
  bench_machine_json(&s->json, "machine", &s->machine);
  return 0;
}

int bench_begin(bench_session *s, const char *name, int argc, char **argv,
                void (*usage)(FILE *f), int flags, int *status) {
  memset(s, 0, sizeof *s);
  s->name = name;
  int rc = bench_parse_options(name, argc, argv, usage, &s->opt);
  if (rc) {
    *status = rc == 1 ? 0 : 2;
    return 0;
  }
  *status = 1;
  char file[64];
  if (s->opt.out) {
    if (as__mkdirs(s->opt.out, 0777) < 0) {
      fprintf(stderr, "accelstrat-bench %s: %s: %s\n", name, s->opt.out,
              strerror(errno));
      return 0;
    }
    snprintf(file, sizeof file, "%s.md", name);
    if (!(s->text.file = bench_open_out(s->opt.out, file))) return 0;
    snprintf(file, sizeof file, "%s.json", name);
    s->json_file = bench_open_out(s->opt.out, file);
  } else {
    s->json_file = fopen("/dev/null", "w");
  }
  if (!s->json_file) {
    bench_end(s, 1);
    return 0;
  }
  as__json_init(&s->json, s->json_file);
  as__json_object_begin(&s->json, NULL);
  as__json_string(&s->json, "tool", "accelstrat-bench");
  as__json_string(&s->json, "subcommand", name);
  as__json_string(&s->json, "version", AS_VERSION_STRING);
  as__json_u64(&s->json, "seed", s->opt.seed);
  as__json_i64(&s->json, "reps", s->opt.reps);
  as__json_bool(&s->json, "quick", s->opt.quick);
  if (s->opt.replay)
    as__json_string(&s->json, "replay", s->opt.replay);
  else
    as__json_null(&s->json, "replay");
  if (!(flags & BENCH_LATE_MACHINE) && bench_machine_now(s) < 0) {
    bench_end(s, 1);
    return 0;
  }
  return 1;
}

int bench_end(bench_session *s, int status) {
  char file[64];
  if (s->json_file) {
    if (s->json.depth > 0) as__json_object_end(&s->json);
    fputc('\n', s->json_file);
    snprintf(file, sizeof file, "%s.json", s->name);
    if (bench_close_out(s->json_file, s->opt.out ? s->opt.out : "/dev",
                        s->opt.out ? file : "null") < 0)
      status = 1;
    s->json_file = NULL;
  }
  if (s->text.file) {
    snprintf(file, sizeof file, "%s.md", s->name);
    if (bench_close_out(s->text.file, s->opt.out, file) < 0 || s->text.failed)
      status = 1;
    s->text.file = NULL;
  }
  fflush(stdout);
  return status;
}

/* ---- running and checking ---- */

int bench_executor(const bench_session *s, as_strategy st, int threads,
                   as_fault f, long chunk, as_executor **ex) {
  as_config cfg;
  as_config_defaults(&cfg);
  cfg.strategy = st;
  /* Fixed: the load average must not vary it between rounds. */
  cfg.threads = threads > 0 ? threads : bench_thread_count(s);
  int rc = as_executor_create(&cfg, ex);
  if (rc == 0 && (rc = as_executor_inject(*ex, f, chunk)) < 0) {
    as_executor_destroy(*ex);
    *ex = NULL;
  }
  if (rc < 0) {
    char name[32];
    fprintf(stderr, "accelstrat-bench %s: executor for %s: %s\n", s->name,
            as_strategy_format(st, name, sizeof name), as_strerror(rc));
  }
  return rc;
}

int bench_thread_count(const bench_session *s) {
  if (s->machine_known) return s->machine.threads;
  if (s->opt.threads > 0) return s->opt.threads;
  as_capabilities caps;
  as_capabilities_detect(&caps);
  return caps.usable_cpus;
}

int bench_run_checked(as_executor *ex, const as_batch *b, const void *ref,
                      size_t out_bytes, as_report *rep, uint64_t *wall_ns,
                      const char *what) {
  char name[32];
  memset(b->out, BENCH_POISON, out_bytes);
  const uint64_t t0 = as__now_ns();
  int rc = as_run(ex, b, rep);
  *wall_ns = as__now_ns() - t0;
  as_strategy_format(as_executor_config(ex)->strategy, name, sizeof name);
  if (rc < 0) {
    fprintf(stderr, "accelstrat-bench: %s, %s, %zu tasks, %s: %s (%s)\n", what,
            b->kernel->name, b->n, name, as_strerror(rc), rep->reason);
    return 1;
  }
  if (ref && memcmp(b->out, ref, out_bytes) != 0) {
    fprintf(stderr,
            "accelstrat-bench: %s, %s, %zu tasks, %s: outputs differ from "
            "the reference (ran as %s: %s)\n",
            what, b->kernel->name, b->n, name,
            as_strategy_kind_name(rep->chosen.kind), rep->reason);
    return 1;
  }
  return 0;
}

int bench_best_cpu_run(const bench_session *s, const as_batch *b,
                       const void *ref, size_t out_bytes, const char *what,
                       double *best_ns, int *threads) {
  as_executor *ex = NULL;
  if (bench_executor(s, bench_strategy(AS_STRATEGY_CPU, 0), 0, AS_FAULT_NONE, 0,
                     &ex) < 0)
    return 1;
  *best_ns = INFINITY;
  int rc = 0;
  for (int round = 0; round <= s->opt.reps && rc == 0; round++) {
    as_report rep;
    uint64_t ns;
    rc = bench_run_checked(ex, b, ref, out_bytes, &rep, &ns, what);
    if (rc == 0 && round > 0 && (double)ns < *best_ns) { /* 0: warm-up */
      *best_ns = (double)ns;
      *threads = rep.threads;
    }
  }
  as_executor_destroy(ex);
  return rc;
}

int bench_direct_omp(const as_batch *b, int threads) {
  int first = 0;
  const long n = (long)b->n;
#pragma omp parallel for schedule(dynamic) num_threads(threads)
  for (long i = 0; i < n; i++) {
    int rc = b->kernel->cpu(b, (size_t)i, (size_t)i + 1);
    if (rc) {
#pragma omp critical(bench_direct_error)
      if (!first) first = rc;
    }
  }
  return first;
}

int bench_interleave(int variants, int reps, bench_variant_fn fn, void *arg,
                     double *ns) {
  double warm;
  for (int v = 0; v < variants; v++) {
    int rc = fn(arg, v, &warm);
    if (rc) return rc;
  }
  for (int round = 0; round < reps; round++)
    for (int i = 0; i < variants; i++) {
      int v = (round + i) % variants;
      int rc = fn(arg, v, &ns[v * reps + round]);
      if (rc) return rc;
    }
  return 0;
}

typedef struct versus_state {
  const bench_versus *v;
  unsigned char *ref; /* owned when v->ref is NULL */
  int have_ref;
  int *calls; /* runs so far per variant: the first is the warm-up */
} versus_state;

static int versus_once(void *arg, int variant, double *ns) {
  versus_state *x = arg;
  const bench_versus *v = x->v;
  const bench_workload *w = v->w;
  const int first = !x->have_ref;
  as_report rep;
  uint64_t wall;
  if (bench_run_checked(v->ex[variant], &w->s.batch, first ? NULL : x->ref,
                        w->out_bytes, &rep, &wall, v->what))
    return 1;
  if (first) { /* variant 0's warm-up: bench_interleave runs it first */
    memcpy(x->ref, w->s.batch.out, w->out_bytes);
    x->have_ref = 1;
  }
  const int round = x->calls[variant]++ - 1;
  if (v->on_run) v->on_run(v->arg, variant, round, &rep);
  *ns = (double)wall;
  return 0;
}

int bench_versus_run(const bench_versus *v, double *ns) {
  versus_state x = {v, (unsigned char *)v->ref, v->ref != NULL, NULL};
  x.calls = calloc((size_t)v->variants, sizeof *x.calls);
  if (!v->ref) x.ref = malloc(v->w->out_bytes ? v->w->out_bytes : 1);
  int rc = x.calls && x.ref
               ? bench_interleave(v->variants, v->reps, versus_once, &x, ns)
               : AS_ENOMEM;
  if (rc == AS_ENOMEM)
    fprintf(stderr, "accelstrat-bench: %s: out of memory\n", v->what);
  if (!v->ref) free(x.ref);
  free(x.calls);
  return rc;
}

int bench_in_child(bench_child_fn fn, void *arg, void *out, size_t size) {
  int fd[2];
  if (pipe(fd) < 0) {
    fprintf(stderr, "accelstrat-bench: pipe: %s\n", strerror(errno));
    return -1;
  }
  fflush(NULL); /* or the child's copies of the buffers are written twice */
  pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    int rc = fn(arg, out);
    const char *p = out;
    size_t left = size;
    while (left) {
      ssize_t w = write(fd[1], p, left);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) _exit(3);
      p += w, left -= (size_t)w;
    }
    _exit(rc ? 1 : 0); /* no atexit handlers, no stdio flush: the parent's */
  }
  close(fd[1]);
  size_t got = 0;
  while (pid > 0 && got < size) {
    ssize_t r = read(fd[0], (char *)out + got, size - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += (size_t)r;
  }
  close(fd[0]);
  int st = 0;
  if (pid < 0 || waitpid(pid, &st, 0) < 0 || got != size) return -1;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

/* ---- statistics ---- */

bench_stat bench_stats(const double *v, int n) {
  bench_stat st = {bench_median(v, n), bench_min(v, n), bench_max(v, n)};
  return st;
}

/* Statistics of a[i] / b[i] (ratio) or a[i] - b[i]. */
static bench_stat pair_stats(const double *a, const double *b, int n,
                             int ratio) {
  double *r = malloc((size_t)(n > 0 ? n : 1) * sizeof *r);
  if (!r) {
    bench_stat none = {NAN, NAN, NAN};
    return none;
  }
  for (int i = 0; i < n; i++)
    r[i] = !ratio ? a[i] - b[i] : b[i] > 0 ? a[i] / b[i] : NAN;
  bench_stat st = bench_stats(r, n);
  free(r);
  return st;
}

bench_stat bench_ratio_stats(const double *num, const double *den, int n) {
  return pair_stats(num, den, n, 1);
}

bench_stat bench_diff_stats(const double *a, const double *b, int n) {
  return pair_stats(a, b, n, 0);
}

const char *bench_threads_note(const int *used, int n, int asked, char *buf,
                               size_t len) {
  int lo = n > 0 ? used[0] : asked, hi = lo;
  for (int i = 1; i < n; i++) {
    lo = used[i] < lo ? used[i] : lo;
    hi = used[i] > hi ? used[i] : hi;
  }
  if (lo == asked && hi == asked)
    snprintf(buf, len, "%s", "");
  else if (lo == hi)
    snprintf(buf, len, " [%d thread%s]", lo, lo == 1 ? "" : "s");
  else
    snprintf(buf, len, " [%d–%d threads]", lo, hi);
  return buf;
}

const char *bench_fmt_stat_ms(bench_stat st, char *buf, size_t len) {
  char m[24], lo[24], hi[24];
  snprintf(buf, len, "%s (%s–%s)", bench_fmt_ms(st.median, m, sizeof m),
           bench_fmt_ms(st.min, lo, sizeof lo),
           bench_fmt_ms(st.max, hi, sizeof hi));
  return buf;
}

const char *bench_fmt_ratio(bench_stat st, char *buf, size_t len) {
  snprintf(buf, len, "%.2fx (%.2f–%.2f)", st.median, st.min, st.max);
  return buf;
}

void bench_fmt_gpu_cells(int measured, bench_stat gpu, int fallbacks, int reps,
                         bench_stat speedup, char *cell, size_t cell_len,
                         char *sp, size_t sp_len) {
  if (!measured) {
    snprintf(cell, cell_len, "not measured");
    snprintf(sp, sp_len, "-");
    return;
  }
  char t[64];
  bench_fmt_stat_ms(gpu, t, sizeof t);
  if (fallbacks)
    snprintf(cell, cell_len, "%s † %d/%d", t, fallbacks, reps);
  else
    snprintf(cell, cell_len, "%s", t);
  bench_fmt_ratio(speedup, sp, sp_len);
}

void bench_json_stat(bench_json *j, const char *key, bench_stat st) {
  as__json_object_begin(j, key);
  as__json_double(j, "median", st.median);
  as__json_double(j, "min", st.min);
  as__json_double(j, "max", st.max);
  as__json_object_end(j);
}

void bench_json_samples(bench_json *j, const char *key, const double *v,
                        int n) {
  as__json_array_begin(j, key);
  for (int i = 0; i < n; i++) as__json_u64(j, NULL, (uint64_t)llround(v[i]));
  as__json_array_end(j);
}

/* ---- plots ---- */

static int on_path(const char *prog) {
  const char *path = getenv("PATH");
  if (!path) return 0;
  char dir[PATH_MAX];
  for (const char *p = path; *p;) {
    size_t len = strcspn(p, ":");
    if (len && len < sizeof dir - 32) {
      snprintf(dir, sizeof dir, "%.*s/%s", (int)len, p, prog);
      if (access(dir, X_OK) == 0) return 1;
    }
    p += len;
    if (*p == ':') p++;
  }
  return 0;
}

/* Text fit for a gnuplot string in double quotes. */
static void gp_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

int bench_plot(bench_session *s, const char *name, const char *title,
               const char *xlabel, const char *ylabel, int log_axes,
               const bench_series *series, int n_series) {
  if (!s->opt.out) return 0;
  char file[96];
  snprintf(file, sizeof file, "%s.dat", name);
  FILE *dat = bench_open_out(s->opt.out, file);
  if (!dat) return -1;
  /* One block per series, separated by two blank lines (gnuplot's index). */
  for (int i = 0; i < n_series; i++) {
    fprintf(dat, "# %s\n", series[i].title);
    for (int k = 0; k < series[i].n; k++)
      if (isfinite(series[i].x[k]) && isfinite(series[i].y[k]))
        fprintf(dat, "%.9g %.9g\n", series[i].x[k], series[i].y[k]);
    fprintf(dat, "\n\n");
  }
  if (bench_close_out(dat, s->opt.out, file) < 0) return -1;
  snprintf(file, sizeof file, "%s.gp", name);
  FILE *gp = bench_open_out(s->opt.out, file);
  if (!gp) return -1;
  fprintf(gp,
          "# gnuplot %s.gp (in this directory) renders %s.png from %s.dat\n",
          name, name, name);
  fprintf(
      gp,
      "set terminal pngcairo size 900,560 noenhanced\nset output \"%s.png\"\n",
      name);
  fprintf(gp, "set title ");
  gp_string(gp, title);
  fprintf(gp, "\nset xlabel ");
  gp_string(gp, xlabel);
  fprintf(gp, "\nset ylabel ");
  gp_string(gp, ylabel);
  /* A margin above and below: a flat series (one device only) still gets a
   * y range. */
  fprintf(gp, "\nset grid\nset key top left\nset offsets 0, 0, graph 0.05, "
              "graph 0.05\n");
  if (log_axes & BENCH_LOG_X) fprintf(gp, "set logscale x\n");
  if (log_axes & BENCH_LOG_Y) fprintf(gp, "set logscale y\n");
  fprintf(gp, "plot ");
  for (int i = 0; i < n_series; i++) {
    fprintf(gp, "%s\"%s.dat\" index %d using 1:2 with linespoints title ",
            i ? ", \\\n     " : "", name, i);
    gp_string(gp, series[i].title);
  }
  fprintf(gp, "\n");
  if (bench_close_out(gp, s->opt.out, file) < 0) return -1;

  if (!on_path("gnuplot")) {
    bench_printf(&s->text,
                 "\nPlot: gnuplot not found; %s.gp and %s.dat written (run "
                 "`gnuplot %s.gp` there for %s.png).\n",
                 name, name, name, name);
    return 0;
  }
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(s->opt.out) == 0)
      execlp("gnuplot", "gnuplot", file, (char *)NULL);
    _exit(127);
  }
  int st = 0;
  if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
      WEXITSTATUS(st) != 0) {
    fprintf(stderr, "accelstrat-bench %s: gnuplot %s failed\n", s->name, file);
    return -1;
  }
  bench_printf(&s->text,
               "\nPlot: [%s.png](%s.png) (data %s.dat, script %s.gp)\n", name,
               name, name, name);
  return 0;
}
