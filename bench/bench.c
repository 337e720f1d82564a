/* accelstrat-bench: measurements of the runtime on this machine, one
 * subcommand each, as markdown on stdout and, with --out DIR, as DIR/NAME.md
 * and DIR/NAME.json (every sample, the machine, the seed).
 *
 *   accelstrat-bench SUBCOMMAND [--quick] [--reps N] [--threads N]
 *                               [--out DIR] [--seed S]
 *
 * This file: the subcommand table and what the subcommands share (bench.h). */
#include "bench.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support/stats.h"
#include "synth.h"

/* ---- subcommands ---- */

typedef struct subcommand {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} subcommand;

static int bench_all(int argc, char **argv);

/* In the reference document's order. */
static const subcommand subcommands[] = {
    {"overhead", bench_overhead,
     "strategy=auto against the strategy it picks, run directly"},
    {"cpu-vs-omp", bench_cpu_vs_omp,
     "strategy=cpu against a plain OpenMP parallel for over the same kernel"},
    {"gpu-speedup", bench_gpu_speedup, "strategy=gpu against strategy=cpu"},
    {"hybrid", bench_hybrid,
     "hybrid:F over a sweep of F, dynamic hybrid, cpu and gpu"},
    {"fallback", bench_fallback, "GPU failure detection and switch to the CPU"},
    {"selection", bench_selection,
     "how often strategy=auto picks the measured-fastest strategy, and its "
     "regret"},
    {"threads", bench_threads, "strategy=cpu at 1, 2, 4, ... threads"},
    {"tasks", bench_tasks, "cpu and gpu from 10 to 10,000 tasks"},
    {"memory", bench_memory,
     "bytes allocated per as_run and peak RSS against direct OpenMP"},
    {"kernels", bench_kernels,
     "the align kernel in GCUPS per length class against a yardstick and "
     "RapidFuzz"},
    {"all", bench_all,
     "every subcommand above, in order, with the same options"},
};
#define SUBCOMMANDS (sizeof subcommands / sizeof *subcommands)

/* Runs every other subcommand with the same arguments, each in a process
 * of its own (this program again): a subcommand that forks must start with
 * neither an OpenMP team nor a GPU context in its process, and each section
 * then starts from the same state. The exit status is the worst of theirs. */
static int bench_all(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      printf(
          "usage: accelstrat-bench all [options]\n"
          "Runs every subcommand in turn, each in its own process, with these "
          "options (with --out DIR, each writes its own files "
          "there).\n" BENCH_OPTIONS_HELP);
      return 0;
    }
  char **args = calloc((size_t)argc + 2, sizeof *args);
  if (!args) return 1;
  args[0] = "accelstrat-bench";
  for (int i = 1; i < argc; i++) args[i + 1] = argv[i];
  int worst = 0;
  for (size_t i = 0; i + 1 < SUBCOMMANDS; i++) {
    args[1] = (char *)subcommands[i].name;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
      execv("/proc/self/exe", args);
      fprintf(stderr, "accelstrat-bench all: cannot run %s: %s\n",
              subcommands[i].name, strerror(errno));
      _exit(127);
    }
    int st = 0, rc;
    if (pid < 0 || waitpid(pid, &st, 0) < 0)
      rc = 1;
    else
      rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (rc)
      fprintf(stderr, "accelstrat-bench all: %s exited %d\n",
              subcommands[i].name, rc);
    if (rc > worst) worst = rc;
  }
  free(args);
  return worst;
}

static void usage(FILE *f) {
  fprintf(f, "usage: accelstrat-bench SUBCOMMAND [options]\n"
             "       accelstrat-bench SUBCOMMAND --help   (its options)\n"
             "subcommands:\n");
  for (size_t i = 0; i < SUBCOMMANDS; i++)
    fprintf(f, "  %-12s %s\n", subcommands[i].name, subcommands[i].summary);
  fprintf(f, "options (every subcommand):\n" BENCH_OPTIONS_HELP
             "environment: ACCELSTRAT_GPU=cuda|sim|off (default cuda), "
             "ACCELSTRAT_PROFILE=PATH|off\n");
}

/* The runtime's gpu setting (ACCELSTRAT_GPU) as it reads it. */
const char *bench_gpu_choice(void) {
  const as_setting *st;
  for (size_t i = 0; (st = as_setting_at(i)); i++) {
    if (strcmp(st->name, "gpu") != 0) continue;
    const char *env = getenv(st->env);
    return env && *env ? env : st->default_value;
  }
  return "cuda";
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout);
    return 0;
  }
  for (size_t i = 0; i < SUBCOMMANDS; i++) {
    if (strcmp(argv[1], subcommands[i].name) == 0) {
      return subcommands[i].run(argc - 1, argv + 1);
    }
  }
  fprintf(stderr, "accelstrat-bench: unknown subcommand '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}

/* ---- options ---- */

static int parse_number(const char *s, unsigned long long lo,
                        unsigned long long hi, unsigned long long *out) {
  if (!s || !*s || *s == '-') return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

int bench_parse_options(const char *name, int argc, char **argv,
                        void (*usage_of)(FILE *f), bench_options *o) {
  memset(o, 0, sizeof *o);
  o->seed = BENCH_DEFAULT_SEED;
  int reps = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    unsigned long long x;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage_of(stdout);
      return 1;
    } else if (strcmp(a, "--quick") == 0) {
      o->quick = 1;
    } else if (strcmp(a, "--reps") == 0 || strcmp(a, "--threads") == 0) {
      if (parse_number(v, 1, 4096, &x) < 0) {
        fprintf(stderr, "accelstrat-bench %s: %s needs a number 1..4096\n",
                name, a);
        usage_of(stderr);
        return 2;
      }
      if (a[2] == 'r')
        reps = (int)x;
      else
        o->threads = (int)x;
      i++;
    } else if (strcmp(a, "--seed") == 0) {
      if (parse_number(v, 0, UINT64_MAX, &x) < 0) {
        fprintf(stderr, "accelstrat-bench %s: --seed needs a number\n", name);
        usage_of(stderr);
        return 2;
      }
      o->seed = x;
      i++;
    } else if (strcmp(a, "--out") == 0 && v && *v) {
      o->out = v;
      i++;
    } else if (strcmp(a, "--replay") == 0 && v && *v) {
      o->replay = v;
      i++;
    } else {
      fprintf(stderr, "accelstrat-bench %s: unknown argument '%s'\n", name, a);
      usage_of(stderr);
      return 2;
    }
  }
  o->reps = reps ? reps : o->quick ? BENCH_QUICK_REPS : BENCH_DEFAULT_REPS;
  return 0;
}

/* ---- the machine ---- */

const char *bench_rates_source(const as_kernel *k, char *buf, size_t len) {
  snprintf(buf, len, "unknown");
  as_config cfg;
  as_config_defaults(&cfg);
  cfg.strategy.kind = AS_STRATEGY_CPU;
  as_executor *ex;
  if (as_executor_create(&cfg, &ex) < 0) return buf;
  const as_batch empty = {.kernel = k, .n = 0};
  as_report rep;
  as_run(ex, &empty, &rep);
  if (rep.model[0]) snprintf(buf, len, "%s", rep.model);
  as_executor_destroy(ex);
  return buf;
}

/* Runs a small batch with strategy gpu and fallback=off: usable or not. */
static int probe_gpu(bench_machine *m) {
  as_config cfg;
  as_config_defaults(&cfg);
  cfg.strategy.kind = AS_STRATEGY_GPU;
  cfg.fallback = 0;
  cfg.threads = m->threads;
  as_executor *ex;
  int rc = as_executor_create(&cfg, &ex);
  if (rc < 0) return rc;
  as_synth s;
  const as_synth_shape shape = {.n = 5, .min_len = 16, .max_len = 64};
  rc = as__synth_make(&s, &as_kernel_align, &shape, 1);
  if (rc < 0) {
    as_executor_destroy(ex);
    return rc;
  }
  as_report rep;
  int run = as_run(ex, &s.batch, &rep);
  if (run == 0 && rep.n_events == 0) {
    const as_capabilities *caps = as_executor_capabilities(ex); /* probed now */
    m->gpu_usable = 1;
    m->gpu_simulated = caps->gpu_simulated;
    snprintf(m->gpu_backend, sizeof m->gpu_backend, "%s", caps->gpu_backend);
    snprintf(m->gpu_name, sizeof m->gpu_name, "%s", caps->gpu_name);
    snprintf(m->gpu_driver, sizeof m->gpu_driver, "%s", caps->gpu_driver);
  } else {
    snprintf(m->gpu_why, sizeof m->gpu_why, "%s",
             rep.reason[0] ? rep.reason
             : run < 0     ? as_strerror(run)
                           : "fell back");
    snprintf(m->gpu_backend, sizeof m->gpu_backend, "none");
  }
  as__synth_free(&s);
  as_executor_destroy(ex);
  return 0;
}

int bench_machine_detect(bench_machine *m, int threads) {
  memset(m, 0, sizeof *m);
  as_capabilities caps;
  as_capabilities_detect(&caps);
  snprintf(m->cpu_model, sizeof m->cpu_model, "%s", caps.cpu_model);
  m->online_cpus = caps.online_cpus;
  m->usable_cpus = caps.usable_cpus;
  m->threads = threads > 0 ? threads : caps.usable_cpus;
  snprintf(m->gpu_choice, sizeof m->gpu_choice, "%s", bench_gpu_choice());
  if (as_profile_path(m->profile, sizeof m->profile) < 0)
    snprintf(m->profile, sizeof m->profile, "off");
  for (size_t i = 0; i < as__builtin_count(); i++)
    bench_rates_source(as__builtin_at(i)->kernel, m->rates[i],
                       sizeof m->rates[i]);
  return probe_gpu(m);
}

void bench_machine_print(bench_text *t, const bench_machine *m) {
  bench_printf(t, "machine: CPU %s, %d online CPUs (%d usable), %d thread%s; ",
               m->cpu_model, m->online_cpus, m->usable_cpus, m->threads,
               m->threads == 1 ? "" : "s");
  if (!m->gpu_usable)
    bench_printf(t, "GPU: none usable (ACCELSTRAT_GPU=%s: %s)", m->gpu_choice,
                 m->gpu_why);
  else if (m->gpu_simulated)
    bench_printf(t, "GPU: sim backend (host code standing in for a GPU; not "
                    "GPU numbers)");
  else
    bench_printf(t, "GPU: %s, %s, driver %s", m->gpu_backend, m->gpu_name,
                 m->gpu_driver[0] ? m->gpu_driver : "unknown");
  bench_printf(t, "; profile: %s (rates:", m->profile);
  for (size_t i = 0; i < as__builtin_count(); i++)
    bench_printf(t, "%s %s %s", i ? "," : "", as__builtin_at(i)->kernel->name,
                 m->rates[i]);
  bench_printf(t, ")");
}

void bench_machine_json(bench_json *j, const char *key,
                        const bench_machine *m) {
  as__json_object_begin(j, key);
  as__json_string(j, "cpu_model", m->cpu_model);
  as__json_i64(j, "online_cpus", m->online_cpus);
  as__json_i64(j, "usable_cpus", m->usable_cpus);
  as__json_i64(j, "threads", m->threads);
  as__json_object_begin(j, "gpu");
  as__json_string(j, "choice", m->gpu_choice);
  as__json_bool(j, "usable", m->gpu_usable);
  as__json_bool(j, "simulated", m->gpu_simulated);
  as__json_string(j, "backend", m->gpu_backend);
  as__json_string(j, "name", m->gpu_name);
  as__json_string(j, "driver", m->gpu_driver);
  if (m->gpu_usable)
    as__json_null(j, "why_unusable");
  else
    as__json_string(j, "why_unusable", m->gpu_why);
  as__json_object_end(j);
  as__json_string(j, "profile", m->profile);
  as__json_object_begin(j, "rates");
  for (size_t i = 0; i < as__builtin_count(); i++)
    as__json_string(j, as__builtin_at(i)->kernel->name, m->rates[i]);
  as__json_object_end(j);
  as__json_object_end(j);
}

/* ---- time and statistics ---- */

double bench_median(const double *v, int n) {
  if (n <= 0) return 0;
  double *c = malloc((size_t)n * sizeof *c);
  if (!c) return NAN;
  memcpy(c, v, (size_t)n * sizeof *c);
  double m = as__median(c, n); /* sorts its argument: a copy */
  free(c);
  return m;
}

double bench_min(const double *v, int n) {
  double m = n > 0 ? v[0] : 0;
  for (int i = 1; i < n; i++)
    if (v[i] < m) m = v[i];
  return m;
}

double bench_max(const double *v, int n) {
  double m = n > 0 ? v[0] : 0;
  for (int i = 1; i < n; i++)
    if (v[i] > m) m = v[i];
  return m;
}

const char *bench_fmt_ms(double ns, char *buf, size_t len) {
  double ms = ns / 1e6;
  if (!isfinite(ms))
    snprintf(buf, len, "-");
  else if (ms < 1)
    snprintf(buf, len, "%.3f", ms);
  else if (ms < 100)
    snprintf(buf, len, "%.2f", ms);
  else
    snprintf(buf, len, "%.0f", ms);
  return buf;
}

/* ---- text ---- */

void bench_printf(bench_text *t, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  if (t && t->file) {
    va_start(ap, fmt);
    if (vfprintf(t->file, fmt, ap) < 0) t->failed = 1;
    va_end(ap);
  }
}

FILE *bench_open_out(const char *dir, const char *name) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (!f)
    fprintf(stderr, "accelstrat-bench: cannot write %s: %s\n", path,
            strerror(errno));
  return f;
}

int bench_close_out(FILE *f, const char *dir, const char *name) {
  int bad = ferror(f);
  if (fclose(f) != 0) bad = 1;
  if (bad)
    fprintf(stderr, "accelstrat-bench: writing %s/%s failed\n", dir, name);
  return bad ? -1 : 0;
}
