/* accelstrat-gpu-check: what its parts share. The backend under test, the
 * results every part adds to, and the parts themselves:
 *   gpu_check.c          options, loading the backend, the machine, main;
 *   gpu_check_conform.c  conformance (CPU function vs run_chunk) and the
 *                        runtime's own paths on the device (as_run);
 *   gpu_check_oom.c      a real out-of-memory (gpu_check_hog.c takes the
 *                        memory);
 *   gpu_check_perf.c     throughput on the GPU and on all CPU threads;
 *   gpu_check_report.c   the markdown table and the JSON record;
 *   gpu_check_inputs.c   the random inputs. */
#ifndef ACCELSTRAT_TEST_GPU_CHECK_H
#define ACCELSTRAT_TEST_GPU_CHECK_H

#include <stddef.h>

#include <accelstrat/accelstrat.h>

/* The backend ABI under test: the only runtime header this program uses
 * (it calls the module's table itself, which no public API exposes). */
#include <accelstrat/backend.h>

typedef struct gc_state {
  const as_gpu_backend *be; /* the module's table, initialised */
  as_gpu_info gpu;          /* what its init() said */
  int quick;                /* --quick */
  as_executor *cpu_ex;      /* strategy cpu, all usable threads */
} gc_state;

extern gc_state gc;

/* ---- results ---- */

typedef struct gc_conf_result {
  char kernel[16];
  char name[80];
  size_t tasks;
  int ok;
  char detail[200];
} gc_conf_result;

typedef struct gc_perf_result {
  char kernel[16];
  char workload[96];
  char unit[24];
  double work; /* units per run */
  double gpu_s, cpu_s;
  int runs;
  int ok; /* outputs of the GPU run equal the CPU's */
} gc_perf_result;

#define GC_MAX_CONF 64
#define GC_MAX_PERF 8

typedef struct gc_results {
  gc_conf_result conf[GC_MAX_CONF];
  int n_conf;
  int failed; /* cases, and anything else that failed */
  gc_perf_result perf[GC_MAX_PERF];
  int n_perf;
  const char *oom_status; /* pass, fail, skipped */
  char oom_detail[300];
} gc_results;

extern gc_results gc_res;

/* The next conformance row (the last one again once all are taken), its
 * kernel, name and task count filled in. */
gc_conf_result *gc_conf_new(const as_kernel *k, const char *name, size_t tasks);
/* Counts r when it failed and prints its line. */
void gc_conf_done(const gc_conf_result *r);

/* The next throughput row (the last one again once all are taken). */
gc_perf_result *gc_perf_new(void);

/* Seconds on the monotonic clock. */
double gc_now_s(void);

/* ---- the parts, in the order main runs them ---- */

/* Tasks [begin, end) of b through the CPU function and run_chunk: the same
 * return code (expect_rc) and, for 0, the same bytes. */
void gc_conformance(const char *name, const as_batch *b, size_t begin,
                    size_t end, int expect_rc);
void gc_conformance_filter(void);
void gc_conformance_align(void);
void gc_test_oom(void);
void gc_throughput_all(void);
/* as_run on this GPU through the module at lib (the last case kills it). */
void gc_runtime_paths(const char *lib);

void gc_print_table(const char *model, int threads);
/* The JSON record; 0, or -1 (said) when it could not be written. */
int gc_write_json(const char *path, unsigned long long seed, const char *model,
                  int threads, size_t free_b);

#endif
