/* accelstrat-bench: what its subcommands share. The options every
 * subcommand takes, the description of the machine a result belongs to,
 * timing and statistics, text that goes to stdout and a markdown file at
 * once, and a small JSON writer (libc only). */
#ifndef ACCELSTRAT_BENCH_H
#define ACCELSTRAT_BENCH_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <accelstrat/accelstrat.h>

#include "internal.h"
#include "json.h"

/* ---- options ---- */

#define BENCH_DEFAULT_REPS 10
#define BENCH_QUICK_REPS 3
#define BENCH_DEFAULT_SEED 1

typedef struct bench_options {
  int quick;       /* --quick: fewer sizes and BENCH_QUICK_REPS */
  int reps;        /* --reps N, else the default for quick or not */
  int threads;     /* --threads N, else all usable CPUs */
  const char *out; /* --out DIR: where NAME.md and NAME.json go; NULL: none */
  uint64_t seed;   /* --seed S */
} bench_options;

/* The options text for a subcommand's usage, one option a line. */
#define BENCH_OPTIONS_HELP                                                     \
  "  --quick      fewer sizes, 3 rounds (a smoke test)\n"                     \
  "  --reps N     rounds per cell (default 10)\n"                              \
  "  --threads N  CPU threads of every executor (default: all usable CPUs)\n" \
  "  --out DIR    also write DIR/NAME.md and DIR/NAME.json\n"                  \
  "  --seed S     seed of the synthetic inputs (default 1)\n"

/* Parses argv[1..argc) of subcommand `name` (argv[0] is its name). Returns
 * 0 to go on, 1 when --help was asked (usage printed on stdout: exit 0) or
 * 2 on a bad argument (message and usage on stderr: exit 2). */
int bench_parse_options(const char *name, int argc, char **argv,
                        void (*usage)(FILE *f), bench_options *o);

/* ---- the machine ---- */

#define BENCH_KERNELS 3 /* fingerprint, candidates, align */

typedef struct bench_machine {
  char cpu_model[128];  /* /proc/cpuinfo "model name" */
  int online_cpus;
  int usable_cpus;      /* affinity mask and cgroup quota applied */
  int threads;          /* what the executors are given */
  char gpu_choice[16];  /* ACCELSTRAT_GPU, or "cuda" */
  int gpu_usable;       /* a gpu run with fallback=off succeeded */
  int gpu_simulated;    /* the sim backend: not GPU numbers */
  char gpu_backend[16];
  char gpu_name[64];
  char gpu_driver[32];
  char gpu_why[512];    /* why it is not usable */
  char profile[1024];   /* as_profile_path(), or "off" */
  char rates[BENCH_KERNELS][16]; /* the report's model field of each kernel */
} bench_machine;

/* The built-in kernels, in the order of bench_machine.rates. */
extern const as_kernel *const bench_kernels[BENCH_KERNELS];

/* Describes this machine, probing the GPU (ACCELSTRAT_GPU) with one small
 * batch under strategy gpu and fallback=off, which also creates its context:
 * later runs do not pay its cold start. threads 0: all usable CPUs. Returns
 * 0 or a negative as_errno (the probe's failure is not one). */
int bench_machine_detect(bench_machine *m, int threads);

/* The report's model field ("profile", "learned", "defaults") for kernel k
 * now, from an empty batch, which runs nothing and teaches the model
 * nothing. */
const char *bench_rates_source(const as_kernel *k, char *buf, size_t len);

/* ---- statistics (time: as__now_ns of runtime/internal.h) ---- */

/* Median of v[0..n) without reordering it; 0 for n == 0. */
double bench_median(const double *v, int n);
double bench_min(const double *v, int n);
double bench_max(const double *v, int n);
/* "1.234", "12.3", "1234": milliseconds at a width that suits the value. */
const char *bench_fmt_ms(double ns, char *buf, size_t len);

/* ---- text to stdout and to a file at once ---- */

typedef struct bench_text {
  FILE *file; /* NULL: stdout only */
  int failed; /* a write to the file failed */
} bench_text;

void bench_printf(bench_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Creates DIR and its parents. 0, or -1 with errno. */
int bench_mkdirs(const char *dir);
/* Opens DIR/NAME for writing, or says why on stderr and returns NULL. */
FILE *bench_open_out(const char *dir, const char *name);
/* Closes f; 0, or -1 (with a message naming what) when a write failed. */
int bench_close_out(FILE *f, const char *dir, const char *name);

/* ---- JSON: the runtime's writer (runtime/json.h) ---- */

typedef as_json bench_json;

/* The machine as a JSON object named key. */
void bench_machine_json(bench_json *j, const char *key, const bench_machine *m);
/* The machine in one line (no newline), the first line of every result. */
void bench_machine_print(bench_text *t, const bench_machine *m);

/* ---- subcommands ---- */

/* Each takes argv[0] = its name; returns the exit status. */
int bench_selection(int argc, char **argv);

#endif
