/* as_calibrate(): measures the built-in kernels on this host's devices and
 * writes their rates to the profile.
 *
 * Each built-in kernel runs the synthetic batch shapes of its registry
 * entry (kernels/registry.h, synth.h): many tiny tasks, mid-sized and large
 * ones, sized for about 10 ms on one CPU thread with the built-in rates.
 * Each shape runs once unmeasured (page faults, lazy binding, a GPU's module
 * load), then `samples` times; the median counts.
 * Rates come from a least-squares fit of time = batch + task*n + unit*work
 * (no coefficient below 0). The CPU is measured on one thread, which gives
 * task and unit, and on `threads` threads, which gives the team's start-up
 * and the parallel efficiency. The GPU also runs one large task alone, which
 * gives the parallelism inside a task (lane). */
#include <accelstrat/error.h>
#include <accelstrat/executor.h>
#include <accelstrat/kernels.h>
#include <accelstrat/profile.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gpu/gpu.h"
#include "internal.h"
#include "registry.h"
#include "support/stats.h"
#include "model.h"
#include "synth.h"

typedef struct point {
  double n, work, bytes, ns;
} point;

void as_calibration_defaults(as_calibration *c) {
  memset(c, 0, sizeof *c);
  c->samples = 5;
  c->gpu = 1;
}

/* Least squares of ns = sum_j x_j * col_j over the points, x >= 0: solve the
 * normal equations, drop the most negative coefficient, again. Columns:
 * 0 intercept, 1 n, 2 work (those with use[j]). */
static void fit(const point *p, int np, const int use_in[3], double x[3]) {
  int use[3] = {use_in[0], use_in[1], use_in[2]};
  for (int round = 0; round < 3; round++) {
    double a[3][4] = {{0}};
    for (int i = 0; i < np; i++) {
      double v[3] = {1, p[i].n, p[i].work};
      for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++)
          a[r][c] += use[r] && use[c] ? v[r] * v[c] : 0;
      for (int r = 0; r < 3; r++) a[r][3] += use[r] ? v[r] * p[i].ns : 0;
    }
    for (int r = 0; r < 3; r++)
      if (!use[r]) a[r][r] = 1, a[r][3] = 0;
    for (int c = 0; c < 3; c++) { /* Gauss-Jordan, partial pivoting */
      int piv = c;
      for (int r = c + 1; r < 3; r++)
        if (fabs(a[r][c]) > fabs(a[piv][c])) piv = r;
      for (int k = 0; k < 4; k++) {
        double t = a[c][k];
        a[c][k] = a[piv][k];
        a[piv][k] = t;
      }
      if (fabs(a[c][c]) < 1e-300) continue;
      for (int r = 0; r < 3; r++) {
        if (r == c) continue;
        double f = a[r][c] / a[c][c];
        for (int k = c; k < 4; k++) a[r][k] -= f * a[c][k];
      }
    }
    int worst = -1;
    for (int j = 0; j < 3; j++) {
      x[j] = use[j] && fabs(a[j][j]) > 1e-300 ? a[j][3] / a[j][j] : 0;
      if (x[j] < 0 && (worst < 0 || x[j] < x[worst])) worst = j;
    }
    if (worst < 0) return;
    use[worst] = 0;
  }
  for (int j = 0; j < 3; j++)
    if (x[j] < 0) x[j] = 0;
}

/* The first team's start in a fresh process: a child times a one-thread
 * run and then its first run on `threads` threads. Negative when it could
 * not be measured. */
static double first_team_ns(const as_batch *b, int threads) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    /* A runtime whose threads the parent already started may not survive
     * a fork: the parent then reads end-of-file and keeps its old value. */
    alarm(10);
    close(fds[0]);
    uint64_t t0 = as__now_ns();
    int rc = as__cpu_run(b, 0, b->n, 1);
    uint64_t t1 = as__now_ns();
    rc |= as__cpu_run(b, 0, b->n, threads);
    uint64_t t2 = as__now_ns();
    double ns = rc ? -1 : (double)(t2 - t1) - (double)(t1 - t0);
    ssize_t w = write(fds[1], &ns, sizeof ns);
    _exit(w == (ssize_t)sizeof ns ? 0 : 1);
  }
  close(fds[1]);
  double ns = -1;
  if (read(fds[0], &ns, sizeof ns) != (ssize_t)sizeof ns) ns = -1;
  close(fds[0]);
  waitpid(pid, NULL, 0);
  return ns < 0 ? -1 : ns;
}

/* Median time of one shape: a run unmeasured, then `samples`. The CPU runs
 * on exactly `threads` threads (as_run would choose), the GPU through
 * as_run with strategy gpu (ex). */
static int measure(as_executor *ex, int threads, const as_batch *b, int samples,
                   double *ns) {
  double t[64];
  if (samples > 64) samples = 64;
  for (int i = -1; i < samples; i++) {
    as_report rep;
    int rc;
    if (ex) {
      rc = as_run(ex, b, &rep);
      if (rc == 0 && rep.n_events) rc = AS_EGPU_UNAVAILABLE;
    } else {
      uint64_t t0 = as__now_ns();
      rc = as__cpu_run(b, 0, b->n, threads);
      rep.exec_ns = as__now_ns() - t0;
    }
    if (rc < 0) return rc;
    if (i >= 0) t[i] = (double)rep.exec_ns;
  }
  *ns = as__median(t, samples);
  return 0;
}

static int executor(as_strategy_kind kind, int threads, as_executor **ex) {
  as_config cfg;
  as_config_defaults(&cfg);
  cfg.strategy.kind = kind;
  cfg.threads = threads;
  cfg.fallback = 0; /* a GPU failure must not be timed as a CPU run */
  return as_executor_create(&cfg, ex);
}

static void log_rates(FILE *log, const as_kernel *k, const char *device,
                      const as_rates *r) {
  if (log)
    fprintf(log,
            "  %-11s %-40.40s batch %9.0f ns  task %8.1f ns  unit %.4g ns"
            "  lane %.4g ns  eff %.2f\n",
            k->name, device, r->batch_ns, r->task_ns, r->unit_ns, r->lane_ns,
            r->eff);
}

/* Times every calibration shape of a kernel on one executor; the points go
 * to pts (the GPU's shapes are 16 times the tasks, and one of a single task
 * is the lone task, the GPU's only). */
static int run_plan(as_executor *ex, int threads, const as_builtin *pl,
                    int samples, point *pts, int *np, point *lone) {
  const int gpu = ex != NULL;
  const as_kernel *k = pl->kernel;
  *np = 0;
  for (int i = 0; i < pl->n_shapes; i++) {
    as_synth_shape sh = pl->shapes[i];
    int is_lone = sh.n == 1;
    if (is_lone && !gpu) continue;
    if (gpu && !is_lone) sh.n *= 16;
    as_synth s;
    int rc = as__synth_make(&s, k, &sh, 0x5eed + (uint64_t)i);
    if (rc < 0) return rc;
    as_shape m = {0, 0, 0, 0};
    for (size_t t = 0; t < s.batch.n; t++) m.work += k->cost(&s.batch, t);
    point p = {(double)s.batch.n, (double)m.work,
               (double)as_batch_device_bytes(&s.batch, 0, s.batch.n), 0};
    rc = measure(ex, threads, &s.batch, samples, &p.ns);
    as__synth_free(&s);
    if (rc < 0) return rc;
    if (is_lone)
      *lone = p;
    else
      pts[(*np)++] = p;
  }
  return 0;
}

/* A calibration under way: what its steps share. */
typedef struct run {
  as_calibration c;
  int threads;
  char cpu_key[96], gpu_key[96];
  as_executor *gpu; /* NULL: the GPU is not (or no longer) calibrated */
  double team_ns;   /* a team's start back to back */
} run;

/* The executor that times the GPU, when there is one that calibration may
 * use. */
static void open_gpu(run *r) {
  const char *why = "";
  int status;
  if (executor(AS_STRATEGY_GPU, r->threads, &r->gpu) == 0 &&
      as__gpu_get(NULL, &why, &status) &&
      as__gpu_peek(r->gpu_key, sizeof r->gpu_key, NULL, NULL) == 1) {
    if (r->c.log) fprintf(r->c.log, "calibrating %s\n", r->gpu_key);
  } else {
    if (r->c.log) fprintf(r->c.log, "no GPU calibrated: %s\n", why);
    as_executor_destroy(r->gpu);
    r->gpu = NULL;
  }
}

/* Starting a team: `threads` tasks of next to no work (pairs of one token)
 * on `threads` threads against one; first in a fresh child process (what a
 * compile pays once: the threads are created), then back to back (what
 * each later batch pays while the threads still spin). */
static int time_team(run *r, char *err, size_t errlen) {
  as_synth tiny;
  const as_synth_shape sh = {(size_t)r->threads, 1, 1, 0, 0, 0};
  double t1 = 0, tt = 0, first_ns = -1;
  int rc = as__synth_make(&tiny, &as_kernel_align, &sh, 1);
  if (rc == 0) {
    first_ns = first_team_ns(&tiny.batch, r->threads);
    if ((rc = measure(NULL, 1, &tiny.batch, r->c.samples * 4, &t1)) == 0)
      rc = measure(NULL, r->threads, &tiny.batch, r->c.samples * 4, &tt);
    as__synth_free(&tiny);
  }
  if (rc < 0) {
    snprintf(err, errlen, "starting threads: %s", as_strerror(rc));
    return rc;
  }
  r->team_ns = tt > t1 ? tt - t1 : 0;
  if (first_ns >= 0) as__model_note_cpu_team_start(r->cpu_key, first_ns);
  if (r->c.log)
    fprintf(r->c.log,
            "  %d threads: first team %.1f us (fresh process), then %.1f us a "
            "batch\n",
            r->threads, first_ns / 1e3, r->team_ns / 1e3);
  return 0;
}

/* The CPU's rates of a kernel: task and unit on one thread, the team's
 * start-up, then the efficiency of the shapes on `threads`. */
static int calibrate_cpu(run *r, const as_builtin *pl, char *err,
                         size_t errlen) {
  const as_kernel *k = pl->kernel;
  const int threads = r->threads;
  point p1[AS_BUILTIN_SHAPES], pt[AS_BUILTIN_SHAPES];
  point lone = {0, 0, 0, 0};
  int n1, nt, rc;
  if ((rc = run_plan(NULL, 1, pl, r->c.samples, p1, &n1, &lone)) < 0 ||
      (rc = run_plan(NULL, threads, pl, r->c.samples, pt, &nt, &lone)) < 0) {
    snprintf(err, errlen, "%s on the CPU: %s", k->name, as_strerror(rc));
    return rc;
  }
  double x[3];
  as_rates cr;
  memset(&cr, 0, sizeof cr);
  fit(p1, n1, (const int[3]){0, 1, 1}, x);
  cr.task_ns = x[1];
  cr.unit_ns = cr.lane_ns = x[2] > 0 ? x[2] : 1e-6;
  cr.scale = 1;
  cr.calibrated = 1;
  double spread = 0, at_t = 0;
  cr.batch_ns = r->team_ns;
  for (int j = 0; j < nt; j++) {
    if (pt[j].n < 8.0 * threads) continue; /* too few tasks to spread */
    spread += p1[j].ns;
    at_t += threads * pt[j].ns; /* back to back: the team was awake */
  }
  cr.eff = threads > 1 && at_t > 0 ? spread / at_t : threads > 1 ? 0.9 : 1;
  if (cr.eff < 0.05) cr.eff = 0.05;
  if (cr.eff > 1.2) cr.eff = 1.2;
  as__model_set_rates(k, r->cpu_key, &cr);
  log_rates(r->c.log, k, r->cpu_key, &cr);
  return 0;
}

/* The GPU's rates of a kernel into g: the per-chunk cost from a batch of
 * one tiny task, task and unit from the shapes, lane from the lone task. */
static int time_gpu(run *r, const as_builtin *pl, as_rates *g) {
  const as_kernel *k = pl->kernel;
  point pg[AS_BUILTIN_SHAPES], lone = {0, 0, 0, 0};
  int ng;
  int rc = run_plan(r->gpu, r->threads, pl, r->c.samples, pg, &ng, &lone);
  if (rc < 0) return rc;
  as_rates d;
  as__model_rates(k, r->gpu_key, &d);
  memset(g, 0, sizeof *g);
  g->byte_ns = d.byte_ns; /* not separable from the work here */
  as_synth tiny;
  const as_synth_shape tiny_shape = {1, 1, 1, 0, 0, 0};
  rc = as__synth_make(&tiny, k, &tiny_shape, 1);
  if (rc == 0)
    rc = measure(r->gpu, 1, &tiny.batch, r->c.samples * 2, &g->batch_ns);
  as__synth_free(&tiny);
  if (rc < 0) return rc;
  double x[3];
  for (int j = 0; j < ng; j++)
    pg[j].ns -= g->byte_ns * pg[j].bytes + g->batch_ns;
  fit(pg, ng, (const int[3]){0, 1, 1}, x);
  g->task_ns = x[1];
  g->unit_ns = x[2] > 0 ? x[2] : 1e-9;
  g->lane_ns = d.lane_ns;
  if (lone.n > 0 && lone.work > 0) {
    double t = lone.ns - g->byte_ns * lone.bytes - g->batch_ns - g->task_ns;
    g->lane_ns = t > 0 ? t / lone.work : g->unit_ns;
  }
  if (g->lane_ns < g->unit_ns) g->lane_ns = g->unit_ns;
  g->eff = 1;
  g->scale = 1;
  g->calibrated = 1;
  return 0;
}

/* The GPU's rates of a kernel, when it has a GPU version. A failure leaves
 * the GPU's rates as they were (the CPU's stand) and calibrates the GPU no
 * further. */
static void calibrate_gpu(run *r, const as_builtin *pl) {
  if (!r->gpu || !pl->gpu) return;
  as_rates g;
  int rc = time_gpu(r, pl, &g);
  if (rc < 0) {
    if (r->c.log)
      fprintf(r->c.log, "  %s on the GPU: %s\n", pl->kernel->name,
              as_strerror(rc));
    as_executor_destroy(r->gpu);
    r->gpu = NULL;
    return;
  }
  as__model_set_rates(pl->kernel, r->gpu_key, &g);
  log_rates(r->c.log, pl->kernel, r->gpu_key, &g);
}

int as_calibrate(const as_calibration *c_in, char *err, size_t errlen) {
  run r;
  memset(&r, 0, sizeof r);
  if (c_in)
    r.c = *c_in;
  else
    as_calibration_defaults(&r.c);
  if (r.c.samples < 1) r.c.samples = 5;
  char path[4096];
  if (as_profile_path(path, sizeof path) < 0) {
    snprintf(err, errlen,
             "profiles are off (ACCELSTRAT_PROFILE=off, or neither "
             "XDG_CACHE_HOME nor HOME is set)");
    return AS_ENOSYS;
  }
  as_capabilities caps;
  as_capabilities_detect(&caps);
  r.threads = r.c.threads > 0 ? r.c.threads : caps.usable_cpus;
  as__model_cpu_key(r.cpu_key, sizeof r.cpu_key);
  if (r.c.gpu) open_gpu(&r);
  if (r.c.log)
    fprintf(r.c.log, "calibrating %s: 1 and %d threads, %d samples per shape\n",
            r.cpu_key, r.threads, r.c.samples);
  int rc = r.threads > 1 ? time_team(&r, err, errlen) : 0;
  for (size_t i = 0; rc == 0 && i < as__builtin_count(); i++) {
    rc = calibrate_cpu(&r, as__builtin_at(i), err, errlen);
    if (rc == 0) calibrate_gpu(&r, as__builtin_at(i));
  }
  as_executor_destroy(r.gpu);
  if (rc == 0 && (rc = as_profile_save()) < 0)
    snprintf(err, errlen, "cannot write %s", path);
  if (rc == 0 && r.c.log) fprintf(r.c.log, "profile written: %s\n", path);
  return rc;
}
