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

#include "support/clock.h"
#include "support/json.h"
#include "registry.h"
#include "synth.h"

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
  const char
      *replay; /* --replay DIR: the batches dump=DIR wrote, as workloads */
} bench_options;

/* The options text for a subcommand's usage, one option a line. */
#define BENCH_OPTIONS_HELP                                                     \
  "  --quick      fewer sizes, 3 rounds (a smoke test)\n"                      \
  "  --reps N     rounds per cell (default 10)\n"                              \
  "  --threads N  CPU threads of every executor (default: all usable CPUs)\n"  \
  "  --out DIR    also write DIR/NAME.md and DIR/NAME.json\n"                  \
  "  --seed S     seed of the synthetic inputs (default 1)\n"                  \
  "  --replay DIR also run the batches the plugin's dump=DIR wrote\n"

/* Parses argv[1..argc) of subcommand `name` (argv[0] is its name). Returns
 * 0 to go on, 1 when --help was asked (usage printed on stdout: exit 0) or
 * 2 on a bad argument (message and usage on stderr: exit 2). */
int bench_parse_options(const char *name, int argc, char **argv,
                        void (*usage)(FILE *f), bench_options *o);

/* ---- the machine ---- */

typedef struct bench_machine {
  char cpu_model[128]; /* /proc/cpuinfo "model name" */
  int online_cpus;
  int usable_cpus;     /* affinity mask and cgroup quota applied */
  int threads;         /* what the executors are given */
  char gpu_choice[16]; /* bench_gpu_choice() */
  int gpu_usable;      /* a gpu run with fallback=off succeeded */
  int gpu_simulated;   /* the sim backend: not GPU numbers */
  char gpu_backend[16];
  char gpu_name[64];
  char gpu_driver[32];
  char gpu_why[512];  /* why it is not usable */
  char profile[1024]; /* as_profile_path(), or "off" */
  /* the report's model field of each built-in kernel, in the registry's
   * order (kernels/registry.h) */
  char rates[AS_BUILTIN_MAX][16];
} bench_machine;

/* Describes this machine, probing the GPU (ACCELSTRAT_GPU) with one small
 * batch under strategy gpu and fallback=off, which also creates its context:
 * later runs do not pay its cold start. threads 0: all usable CPUs. Returns
 * 0 or a negative as_errno (the probe's failure is not one). */
int bench_machine_detect(bench_machine *m, int threads);

/* The report's model field ("profile", "learned", "defaults") for kernel k
 * now, from an empty batch, which runs nothing and teaches the model
 * nothing. */
const char *bench_rates_source(const as_kernel *k, char *buf, size_t len);

/* The GPU backend asked for: ACCELSTRAT_GPU as the runtime reads it, or its
 * default "cuda". */
const char *bench_gpu_choice(void);

/* ---- statistics (time: as__now_ns of support/clock.h) ---- */

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

/* Opens DIR/NAME for writing, or says why on stderr and returns NULL. */
FILE *bench_open_out(const char *dir, const char *name);
/* Closes f; 0, or -1 (with a message naming what) when a write failed. */
int bench_close_out(FILE *f, const char *dir, const char *name);

/* ---- JSON: the support library's writer (support/json.h) ---- */

typedef as_json bench_json;

/* The machine as a JSON object named key. */
void bench_machine_json(bench_json *j, const char *key, const bench_machine *m);
/* The machine in one line (no newline), the first line of every result. */
void bench_machine_print(bench_text *t, const bench_machine *m);

/* ---- a subcommand's run: options, machine, the markdown and JSON files ----
 */

typedef struct bench_session {
  const char *name; /* the subcommand: NAME.md and NAME.json */
  bench_options opt;
  bench_machine machine;
  int machine_known; /* detected (late with BENCH_LATE_MACHINE) */
  bench_text text;   /* stdout, and NAME.md with --out */
  FILE *json_file;   /* NAME.json with --out, else /dev/null */
  bench_json json;   /* inside the top-level object */
} bench_session;

/* bench_begin flags. BENCH_LATE_MACHINE: do not detect the machine yet (a
 * subcommand that forks must not create a GPU context first); it calls
 * bench_machine_now before its first output. */
#define BENCH_LATE_MACHINE 1

/* Parses the options, creates --out DIR, opens the files, detects and
 * prints the machine, and opens the JSON object with "tool", "subcommand",
 * "version", "seed", "reps", "quick", "replay" and "machine". Returns 1 to
 * go on; otherwise 0 with *status the exit status (help: 0, bad argument:
 * 2, failure: 1), everything closed. */
int bench_begin(bench_session *s, const char *name, int argc, char **argv,
                void (*usage)(FILE *f), int flags, int *status);
/* Detects the machine, prints it and writes it to the JSON, once. 0 or a
 * negative as_errno. */
int bench_machine_now(bench_session *s);
/* Closes the JSON object and the files. Returns the exit status: status (0
 * or 1), or 1 when writing a file failed. */
int bench_end(bench_session *s, int status);

/* ---- workloads: the reference's four sizes, or replayed batches ---- */

/* The reference document's workloads (Small 5, Medium 100, Large 1000, XL
 * 10,000 tasks) on the align kernel: near-duplicate pairs of
 * BENCH_ALIGN_MIN..BENCH_ALIGN_MAX tokens a stream, one edit in
 * BENCH_ALIGN_EVERY, milliseconds of one CPU thread a task (the results
 * say how many on each machine; the reference's are about 10 ms). --quick: the
 * same names at 2, 8, 16 and 32 tasks of 64..256 tokens, a smoke test only. */
#define BENCH_ALIGN_MIN 2000
#define BENCH_ALIGN_MAX 8000
#define BENCH_ALIGN_EVERY 10
#define BENCH_WORKLOADS 4

typedef struct bench_workload {
  char name[64];    /* "Small", ..., or the replayed file's name */
  char source[192]; /* how it was made, for the tables and the JSON */
  as_synth s;       /* s.batch is ready to run */
  size_t out_bytes; /* s.batch.n * out_size */
  uint64_t work;    /* the kernel's cost summed */
} bench_workload;

/* The reference workloads by index. */
enum { BENCH_SMALL, BENCH_MEDIUM, BENCH_LARGE, BENCH_XL };
/* Reference workload i's name and tasks (quick: its smoke-test size). */
const char *bench_reference_name(int i);
size_t bench_reference_tasks(int i, int quick);
/* Makes reference workload i (o->quick and o->seed apply). */
int bench_workload_reference(bench_workload *w, int i, const bench_options *o);

/* The synthetic workload of `tasks` align tasks (quick: short streams). */
int bench_workload_align(bench_workload *w, const char *name, size_t tasks,
                         int quick, uint64_t seed);
/* The four reference workloads followed by every batch file in --replay
 * DIR, sorted by name. Returns the count or a negative as_errno (said on
 * stderr). */
int bench_workloads(const bench_options *o, bench_workload **out);
/* The batch files of --replay alone (0 without --replay). */
int bench_replays(const bench_options *o, bench_workload **out);
void bench_workloads_free(bench_workload *w, int n);
/* The workload as a JSON object named key. */
void bench_workload_json(bench_json *j, const char *key,
                         const bench_workload *w);

/* One row of a subcommand's table: measures workload i, prints its row
 * and writes its JSON object. 0, else what stops the run (a negative
 * as_errno, or 1 for a failure the row said itself). */
typedef int (*bench_row_fn)(bench_session *s, int i, void *ctx);
/* The JSON array "workloads": row(s, i, ctx) for each of the n workloads in
 * order, until one fails (a negative as_errno is said on stderr with the
 * workload's name). Returns how many rows were made. */
int bench_rows(bench_session *s, const bench_workload *w, int n,
               bench_row_fn row, void *ctx);

/* ---- running and checking ---- */

/* The threads every executor and baseline of the session uses: --threads,
 * else the usable CPUs (the machine's count, known or not yet detected). */
int bench_thread_count(const bench_session *s);

/* An executor of the session's thread count (threads 0: the machine's)
 * with strategy st, fallback on, and fault f at chunk `chunk`. 0 or a
 * negative as_errno (said on stderr). */
int bench_executor(const bench_session *s, as_strategy st, int threads,
                   as_fault f, long chunk, as_executor **ex);
static inline as_strategy bench_strategy(as_strategy_kind k, double fraction) {
  as_strategy st = {k, fraction};
  return st;
}

/* The byte outputs are filled with before a run, so that a task left
 * unwritten shows in the comparison. */
#define BENCH_POISON 0xa5

/* Poisons b's outputs, runs b on ex, and compares the outputs with ref
 * (NULL: no check). wall_ns: as_run's wall time. Returns 0, or 1 after
 * saying on stderr what failed (what: names the run). */
int bench_run_checked(as_executor *ex, const as_batch *b, const void *ref,
                      size_t out_bytes, as_report *rep, uint64_t *wall_ns,
                      const char *what);

/* b on a strategy=cpu executor of the session's threads, a warm-up and
 * then --reps rounds, every one's outputs checked against ref: the best
 * round's wall time and the threads it used. 0, or 1 (said). */
int bench_best_cpu_run(const bench_session *s, const as_batch *b,
                       const void *ref, size_t out_bytes, const char *what,
                       double *best_ns, int *threads);

/* The direct baseline: a plain `#pragma omp parallel for
 * schedule(dynamic)` over b's tasks, one kernel call a task, on `threads`
 * threads. Returns 0 or the first error a call returned. */
int bench_direct_omp(const as_batch *b, int threads);

/* Interleaving: a variant's one timed run. Returns 0 and its time in *ns,
 * or nonzero (already said) to stop. */
typedef int (*bench_variant_fn)(void *arg, int variant, double *ns);
/* One discarded warm-up run of each variant, then `reps` rounds in which
 * every variant runs once, in an order rotated each round (A B, B A, ...).
 * ns[v * reps + round]. Returns 0 or what fn returned. */
int bench_interleave(int variants, int reps, bench_variant_fn fn, void *arg,
                     double *ns);

/* Strategies (executors) of one workload measured against each other:
 * bench_interleave over the variants with every run output-checked. */
typedef void (*bench_on_run_fn)(void *arg, int variant, int round,
                                const as_report *rep);
typedef struct bench_versus {
  const bench_workload *w;
  as_executor *const *ex; /* one per variant */
  int variants, reps;
  const void *ref;        /* the reference outputs; NULL: variant 0's warm-up
                             run makes them */
  const char *what;       /* names the runs in messages */
  bench_on_run_fn on_run; /* after each run, may be NULL; round -1: warm-up */
  void *arg;
} bench_versus;

/* ns[v * reps + round] as bench_interleave. 0, 1 (a run failed or its
 * outputs differed: said) or AS_ENOMEM. */
int bench_versus_run(const bench_versus *v, double *ns);

/* Runs fn(arg, out) in a fork()ed child, which sends the `size` bytes at
 * out back through a pipe and leaves with _exit. Returns 0 when the child
 * exited 0, 1 when fn failed but its bytes came back (out says what), -1
 * when nothing usable came back. See BENCH_LATE_MACHINE on what the parent
 * must not have done first. */
typedef int (*bench_child_fn)(void *arg, void *out);
int bench_in_child(bench_child_fn fn, void *arg, void *out, size_t size);

typedef struct bench_stat {
  double median, min, max;
} bench_stat;

bench_stat bench_stats(const double *v, int n);
/* Statistics of the per-round ratios num[i] / den[i]. */
bench_stat bench_ratio_stats(const double *num, const double *den, int n);
/* Statistics of the per-round differences a[i] - b[i]. */
bench_stat bench_diff_stats(const double *a, const double *b, int n);
/* "" when every run used the threads asked for, else " [N threads]" or
 * " [LO–HI threads]" (the runtime's model runs a batch too small to pay
 * for a team on fewer). */
const char *bench_threads_note(const int *used, int n, int asked, char *buf,
                               size_t len);
/* "1.234 (1.200–1.300)" in ms. */
const char *bench_fmt_stat_ms(bench_stat st, char *buf, size_t len);
/* "1.23x (1.10–1.30)": a ratio's median (min–max). */
const char *bench_fmt_ratio(bench_stat st, char *buf, size_t len);
/* A cpu-against-gpu row's gpu and speedup cells: gpu's time as
 * bench_fmt_stat_ms, with " † F/R" when F of its R runs fell back, and the
 * speedup as bench_fmt_ratio; "not measured" and "-" when gpu was not. */
void bench_fmt_gpu_cells(int measured, bench_stat gpu, int fallbacks, int reps,
                         bench_stat speedup, char *cell, size_t cell_len,
                         char *sp, size_t sp_len);
void bench_json_stat(bench_json *j, const char *key, bench_stat st);
/* Samples in ns as a JSON array of integers. */
void bench_json_samples(bench_json *j, const char *key, const double *v, int n);

/* ---- plots ---- */

typedef struct bench_series {
  const char *title;
  const double *x, *y; /* n points */
  int n;
} bench_series;

#define BENCH_LOG_X 1
#define BENCH_LOG_Y 2

/* With --out: writes DIR/NAME.dat and DIR/NAME.gp and, when gnuplot is on
 * PATH, renders DIR/NAME.png; says which on the text. Without --out it
 * does nothing. 0, or -1 when a file could not be written or gnuplot failed
 * (said). */
int bench_plot(bench_session *s, const char *name, const char *title,
               const char *xlabel, const char *ylabel, int log_axes,
               const bench_series *series, int n_series);

/* ---- subcommands ---- */

/* Each takes argv[0] = its name; returns the exit status. */
int bench_overhead(int argc, char **argv);
int bench_cpu_vs_omp(int argc, char **argv);
int bench_gpu_speedup(int argc, char **argv);
int bench_hybrid(int argc, char **argv);
int bench_fallback(int argc, char **argv);
int bench_selection(int argc, char **argv);
int bench_threads(int argc, char **argv);
int bench_tasks(int argc, char **argv);
int bench_memory(int argc, char **argv);
int bench_kernels(int argc, char **argv);
/* The filter section of `kernels` (kernels_filter.c): rows and JSON
 * "filter_cells" in s; 1 on failure (said). */
int bench_kernels_filter(bench_session *s);

#endif
