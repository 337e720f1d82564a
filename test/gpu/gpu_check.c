/* accelstrat-gpu-check: the CUDA backend against the CPU, on a GPU machine.
 *
 *   accelstrat-gpu-check [--lib PATH] [--json PATH] [--seed N] [--quick]
 *
 * It dlopens libaccelstrat-cuda.so itself (default: ../lib/ next to this
 * program) and calls the backend table directly, then:
 *   conformance  every kernel on fresh random inputs (seed printed): filter
 *                searches over families of near-duplicates at thresholds 0.5
 *                to 1 and at the block edges (511..514, 1025 functions),
 *                align pairs of edge lengths (0, 1, 63, 64, 65, ... 50,000
 *                tokens), chunks that start mid-batch and malformed inputs:
 *                the CPU function and run_chunk must return the same code
 *                and the same bytes;
 *   oom          a chunk larger than the free device memory (most of it taken
 *                first through the driver API) must fail with AS_EGPU_OOM,
 *                outputs untouched, and the device must still work;
 *   throughput   each kernel on the GPU (run_chunk, transfers included) and
 *                on all CPU threads (as_run, strategy cpu): warm-up, then the
 *                median of several runs;
 *   runtime      as_run with hybrid, hybrid:0.7 and gpu on this GPU, then with
 *                an injected out-of-memory and an injected driver error (a
 *                filter search, then align pairs): the CPU's outputs, every
 *                task once, the events recorded.
 * Results go to stdout as a markdown table and, with --json, to a file.
 * Exit: 0 all passed, 1 something failed, 77 no usable GPU or no backend
 * built (skip). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <accelstrat/accelstrat.h>

#include "backend.h"
#include "support/stats.h"
#include "gpu_check_hog.h"
#include "gpu_check_inputs.h"

#define SKIP 77

static const as_gpu_backend *be;
static as_gpu_info gpu;
static int quick;

/* ---- small utilities ---- */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- results ---- */

typedef struct conf_result {
  char kernel[16];
  char name[80];
  size_t tasks;
  int ok;
  char detail[200];
} conf_result;

typedef struct perf_result {
  char kernel[16];
  char workload[96];
  char unit[24];
  double work; /* units per run */
  double gpu_s, cpu_s;
  int runs;
  int ok; /* outputs of the GPU run equal the CPU's */
} perf_result;

static conf_result conf[64];
static int n_conf, conf_failed;
static perf_result perf[8];
static int n_perf;

static struct {
  const char *status; /* pass, fail, skipped */
  char detail[300];
} oom = {"skipped", ""};

/* Runs tasks [begin, end) of b through the CPU function and run_chunk into
 * two buffers filled alike beforehand, and compares return codes and every
 * byte (the tasks outside the range must stay untouched by both). With
 * expect_rc != 0 only the codes are compared (the CPU writes tasks before
 * the bad one). */
static void conformance(const char *name, const as_batch *b, size_t begin,
                        size_t end, int expect_rc) {
  size_t bytes = b->n * b->kernel->out_size;
  unsigned char *cpu = gc_xmalloc(bytes), *dev = gc_xmalloc(bytes);
  memset(cpu, 0x5a, bytes);
  memset(dev, 0x5a, bytes);
  as_batch bc = *b, bd = *b;
  bc.out = cpu;
  bd.out = dev;
  char detail[160] = "";
  double t0 = now_s();
  int rc_cpu = b->kernel->cpu(&bc, begin, end);
  double t1 = now_s();
  int rc_dev = be->run_chunk(&bd, begin, end, detail, sizeof detail);
  double t2 = now_s();
  conf_result *r = &conf[n_conf < 63 ? n_conf++ : 63];
  snprintf(r->kernel, sizeof r->kernel, "%s", b->kernel->name);
  snprintf(r->name, sizeof r->name, "%s", name);
  r->tasks = end - begin;
  r->ok = rc_cpu == expect_rc && rc_dev == expect_rc;
  if (!r->ok) {
    snprintf(r->detail, sizeof r->detail, "cpu %s, gpu %s (%s), expected %s",
             as_err_name(rc_cpu), as_err_name(rc_dev), detail,
             as_err_name(expect_rc));
  } else if (expect_rc == 0 && memcmp(cpu, dev, bytes) != 0) {
    size_t i = 0;
    while (i < b->n && !memcmp(cpu + i * b->kernel->out_size,
                               dev + i * b->kernel->out_size,
                               b->kernel->out_size))
      i++;
    r->ok = 0;
    snprintf(r->detail, sizeof r->detail, "outputs differ from task %zu%s", i,
             i < begin || i >= end ? " (outside the chunk)" : "");
  } else {
    snprintf(r->detail, sizeof r->detail, "cpu %.3fs, gpu %.3fs", t1 - t0,
             t2 - t1);
  }
  conf_failed += !r->ok;
  printf("  %-4s %-11s %-52s %8zu tasks  %s\n", r->ok ? "ok" : "FAIL",
         r->kernel, r->name, r->tasks, r->detail);
  fflush(stdout);
  free(cpu);
  free(dev);
}

/* Searches over families of near-duplicates: more than one block of
 * partners per query, thresholds from loose to exact, the block edges,
 * long streams, and damaged inputs. */
static void conformance_filter(void) {
  static const double thresholds[] = {0.5, 0.8, 0.95, 1.0};
  uint32_t n = quick ? 1500 : 4000;
  char name[80];
  for (size_t t = 0; t < sizeof thresholds / sizeof *thresholds; t++) {
    gc_search q;
    gc_search_make(&q, n, 1, 300, 30 + gc_below(300), 4 + gc_below(20),
                   thresholds[t]);
    as_batch b = gc_search_batch(&q);
    snprintf(name, sizeof name, "%u functions of 1..300 tokens, s %.2f", n,
             thresholds[t]);
    conformance(name, &b, 0, b.n, 0);
    if (t == 1) {
      conformance("chunk [7, n-5)", &b, 7, b.n - 5, 0);
      conformance("one task", &b, b.n / 2, b.n / 2 + 1, 0);
    }
    gc_search_free(&q);
  }
  static const uint32_t edges[] = {2, 3, 511, 512, 513, 514, 1025};
  for (size_t e = 0; e < sizeof edges / sizeof *edges; e++) {
    gc_search q;
    gc_search_make(&q, edges[e], 1, 60, 8, 5, 0.7);
    as_batch b = gc_search_batch(&q);
    snprintf(name, sizeof name, "%u functions (block edges)", edges[e]);
    conformance(name, &b, 0, b.n, 0);
    gc_search_free(&q);
  }
  gc_search q;
  gc_search_make(&q, quick ? 60 : 200, 5000, 20000, 500, 30, 0.8);
  as_batch b = gc_search_batch(&q);
  conformance("functions of 5000..20000 tokens", &b, 0, b.n, 0);
  gc_search_free(&q);

  gc_search_make(&q, 600, 1, 50, 10, 5, 0.7);
  b = gc_search_batch(&q);
  q.shared->reserved = 1;
  conformance("malformed: reserved field of the block", &b, 0, b.n, AS_EINVAL);
  q.shared->reserved = 0;
  q.tasks[b.n / 2].query = q.shared->n;
  conformance("malformed: a query outside the block", &b, 0, b.n, AS_EINVAL);
  gc_search_free(&q);
}

static void conformance_align(void) {
  static const uint32_t edges[] = {0, 1, 63, 64, 65, 1023, 1024, 1025, 4096};
  const size_t ne = sizeof edges / sizeof *edges;
  gc_ragged r;
  gc_ragged_init(&r);
  for (size_t i = 0; i < ne; i++)
    for (size_t j = 0; j < ne; j++) {
      gc_add_pair(&r, edges[i], edges[j], 8, 10);
      gc_add_pair(&r, edges[i], edges[j], 0, 0);
      gc_add_pair(&r, edges[i], edges[j], 2, 0);
    }
  as_batch b = gc_ragged_batch(&as_kernel_align, &r);
  conformance("edge lengths 0..4096, 3 alphabets", &b, 0, b.n, 0);
  conformance("chunk [11, n-13)", &b, 11, b.n - 13, 0);
  gc_ragged_free(&r);

  gc_ragged_init(&r);
  gc_add_pair(&r, 50000, 50000, 200, 25);
  gc_add_pair(&r, 50000, 50000, 6, 0);
  gc_add_pair(&r, 50000, 48000, 0, 50);
  gc_add_pair(&r, 50000, 1, 3, 0);
  gc_add_pair(&r, 1, 50000, 3, 0);
  gc_add_pair(&r, 50000, 0, 3, 0);
  gc_add_pair(&r, 64, 50000, 20, 0);
  gc_add_pair(&r, 50000, 1024, 20, 0);
  gc_add_pair(&r, 1025, 50000, 20000, 0);
  b = gc_ragged_batch(&as_kernel_align, &r);
  conformance("50000-token streams", &b, 0, b.n, 0);
  gc_ragged_free(&r);

  gc_ragged_init(&r);
  for (int i = 0; i < (quick ? 500 : 3000); i++) {
    uint32_t la = 16 + gc_below(2000);
    gc_add_pair(&r, la, la + gc_below(la / 4 + 1) - la / 8, 100 + gc_below(400), 4 + gc_below(30));
  }
  b = gc_ragged_batch(&as_kernel_align, &r);
  conformance("random near-duplicates 16..2000 tokens", &b, 0, b.n, 0);
  gc_ragged_free(&r);

  gc_ragged_init(&r);
  gc_add_pair(&r, 5, 5, 0, 0);
  gc_add_pair(&r, 5, 5, 0, 0);
  r.off[2] -= 4; /* task 1 one token short */
  b = gc_ragged_batch(&as_kernel_align, &r);
  conformance("malformed: size mismatch", &b, 0, 2, AS_EINVAL);
  gc_ragged_free(&r);
}

/* ---- through the runtime: as_run with GPU strategies on this GPU ---- */

/* as_run of b with a strategy and an injected fault must give the CPU's
 * outputs, put every task on exactly one device and record the fault. */
static void runtime_case(const as_batch *b, const void *expect,
                         const char *strategy, const char *fault) {
  as_config cfg;
  as_config_defaults(&cfg);
  char err[256] = "", name[80];
  as_executor *ex = NULL;
  unsigned char *out = gc_xmalloc(b->n * b->kernel->out_size);
  as_batch run = *b;
  run.out = out;
  as_report rep;
  memset(&rep, 0, sizeof rep);
  int rc = as_config_set(&cfg, "strategy", strategy, err, sizeof err);
  if (rc == 0) rc = as_config_set(&cfg, "inject", fault, err, sizeof err);
  if (rc == 0) rc = as_executor_create(&cfg, &ex);
  if (rc == 0) rc = as_run(ex, &run, &rep);
  conf_result *r = &conf[n_conf < 63 ? n_conf++ : 63];
  snprintf(r->kernel, sizeof r->kernel, "%s", b->kernel->name);
  snprintf(name, sizeof name, "as_run strategy=%s inject=%s", strategy, fault);
  snprintf(r->name, sizeof r->name, "%s", name);
  r->tasks = b->n;
  /* No fault: the GPU did some of the work and nothing fell back. A fault:
   * its own event comes first. */
  int expect_cause = strstr(fault, "oom")      ? AS_EVENT_GPU_OOM
                     : strstr(fault, "driver") ? AS_EVENT_GPU_DRIVER_ERROR
                                               : -1;
  r->ok = rc == 0 && memcmp(out, expect, b->n * b->kernel->out_size) == 0 &&
          rep.tasks_on[AS_DEVICE_CPU] + rep.tasks_on[AS_DEVICE_GPU] == b->n &&
          (expect_cause < 0
               ? rep.n_events == 0 && rep.tasks_on[AS_DEVICE_GPU] > 0
               : rep.n_events >= 1 && (int)rep.events[0].cause == expect_cause);
  snprintf(r->detail, sizeof r->detail,
           "%s; gpu %llu, cpu %llu tasks; %u event(s)%s%s; %.3fs",
           rc ? as_strerror(rc) : "ok", (unsigned long long)rep.tasks_on[AS_DEVICE_GPU],
           (unsigned long long)rep.tasks_on[AS_DEVICE_CPU], rep.n_events,
           rep.n_events ? ": " : "", rep.n_events ? as_event_cause_name(rep.events[0].cause) : "",
           rep.exec_ns * 1e-9);
  conf_failed += !r->ok;
  printf("  %-4s %-11s %-52s %8zu tasks  %s\n", r->ok ? "ok" : "FAIL", r->kernel,
         r->name, r->tasks, r->detail);
  as_executor_destroy(ex);
  free(out);
}

/* The runtime's own paths on the real device: dynamic and static hybrid,
 * then an injected out-of-memory (the chunk halves) and last an injected
 * driver error, after which the runtime leaves the GPU alone for good. */
/* One batch through every case: its CPU outputs first. */
static void runtime_cases(as_batch b, const char *const (*cases)[2], size_t n) {
  unsigned char *expect = gc_xmalloc(b.n * b.kernel->out_size);
  b.out = expect;
  if (b.kernel->cpu(&b, 0, b.n) != 0) conf_failed++;
  for (size_t i = 0; i < n; i++) runtime_case(&b, expect, cases[i][0], cases[i][1]);
  free(expect);
}

static void runtime_paths(const char *lib) {
  setenv("ACCELSTRAT_GPU", "cuda", 1);
  setenv("ACCELSTRAT_CUDA_LIBRARY", lib, 1);
  /* filter: the shared block kept across a batch's chunks. */
  static const char *const filter_cases[][2] = {
      {"hybrid", "none"}, {"gpu", "none"}, {"gpu", "gpu-oom@0"}};
  gc_search q;
  gc_search_make(&q, quick ? 2000 : 6000, 8, 600, 200, 8, 0.8);
  runtime_cases(gc_search_batch(&q), filter_cases,
                sizeof filter_cases / sizeof *filter_cases);
  gc_search_free(&q);
  gc_ragged r;
  gc_ragged_init(&r);
  for (int i = 0; i < (quick ? 400 : 2000); i++) {
    uint32_t la = 64 + gc_below(3000);
    gc_add_pair(&r, la, la + gc_below(la / 8 + 1), 50 + gc_below(200), 5 + gc_below(20));
  }
  static const char *const cases[][2] = {
      {"hybrid", "none"},           {"hybrid:0.7", "none"},
      {"gpu", "none"},              {"gpu", "gpu-oom@0"},
      {"gpu", "gpu-driver-error@0"}};
  runtime_cases(gc_ragged_batch(&as_kernel_align, &r), cases,
                sizeof cases / sizeof *cases);
  gc_ragged_free(&r);
}

/* ---- out of memory ---- */

/* A small align chunk still runs and matches the CPU. */
static int device_still_works(const char *when) {
  gc_ragged r;
  gc_ragged_init(&r);
  for (int i = 0; i < 64; i++) gc_add_pair(&r, 500 + gc_below(1000), 600, 100, 8);
  as_batch b = gc_ragged_batch(&as_kernel_align, &r);
  int before = conf_failed;
  char name[80];
  snprintf(name, sizeof name, "small chunk %s", when);
  conformance(name, &b, 0, b.n, 0);
  gc_ragged_free(&r);
  return conf_failed == before;
}

static void test_oom(void) {
  char why[200] = "";
  /* Start from no kept buffers, so the free memory is all there is. */
  be->shutdown();
  if (be->init(&gpu, why, sizeof why) != 0) {
    oom.status = "fail";
    snprintf(oom.detail, sizeof oom.detail, "re-init failed: %s", why);
    return;
  }
  if (gc_hog_memory((size_t)1 << 30, why, sizeof why) != 0) {
    gc_hog_release();
    snprintf(oom.detail, sizeof oom.detail, "not tested: %s", why);
    printf("  skip oom: %s\n", oom.detail);
    return;
  }
  size_t free_b = 0, total_b = 0;
  be->mem_info(&free_b, &total_b);
  /* Inputs alone larger than what is free: 4 MiB align tasks, each a
   * stream against an empty one (no workspace, nothing to compute). */
  size_t per_task = (size_t)1 << 20, tasks = (free_b + ((size_t)256 << 20)) / 4 / per_task + 1;
  uint32_t *words = gc_xmalloc(tasks * per_task * sizeof *words);
  uint64_t *off = gc_xmalloc((tasks + 1) * sizeof *off);
  for (size_t i = 0; i < tasks * per_task; i++)
    words[i] = i % per_task == 0   ? (uint32_t)per_task - 2
               : i % per_task == 1 ? 0
                                   : (uint32_t)(i * 2654435761u);
  for (size_t i = 0; i <= tasks; i++) off[i] = i * per_task * sizeof *words;
  size_t out_bytes = tasks * sizeof(as_align_out);
  unsigned char *out = gc_xmalloc(out_bytes), *sentinel = gc_xmalloc(out_bytes);
  memset(out, 0x5a, out_bytes);
  memset(sentinel, 0x5a, out_bytes);
  as_batch b = {&as_kernel_align, tasks, words, off, NULL, 0, out};
  char detail[160] = "";
  int rc = be->run_chunk(&b, 0, tasks, detail, sizeof detail);
  int untouched = !memcmp(out, sentinel, out_bytes);
  printf("  %-4s oom: %zu MiB of input with %zu MiB free -> %s (%s)%s\n",
         rc == AS_EGPU_OOM && untouched ? "ok" : "FAIL",
         tasks * per_task * 4 >> 20, free_b >> 20, as_err_name(rc), detail,
         untouched ? "" : "; outputs were written");
  free(words);
  free(off);
  free(out);
  free(sentinel);
  int works_held = device_still_works("after the OOM, memory still taken");
  gc_hog_release();
  int works_freed = device_still_works("after the OOM, memory given back");
  int pass = rc == AS_EGPU_OOM && untouched && works_held && works_freed;
  oom.status = pass ? "pass" : "fail";
  snprintf(oom.detail, sizeof oom.detail,
           "%zu MiB input, %zu MiB free: %s (%s); outputs %s; device %s",
           tasks * per_task * 4 >> 20, free_b >> 20, as_err_name(rc), detail,
           untouched ? "untouched" : "written",
           works_held && works_freed ? "still works" : "broken");
  if (!pass) conf_failed++;
}

/* ---- throughput ---- */

static as_executor *cpu_ex;

static void throughput(const char *workload, const char *unit, double work,
                       const as_batch *b) {
  int runs = quick ? 3 : 5;
  size_t bytes = b->n * b->kernel->out_size;
  unsigned char *cpu = gc_xmalloc(bytes), *dev = gc_xmalloc(bytes);
  as_batch bc = *b, bd = *b;
  bc.out = cpu;
  bd.out = dev;
  double gpu_t[9], cpu_t[9];
  char detail[160] = "";
  int ok = 1;
  for (int i = 0; i <= runs; i++) { /* run 0 warms up */
    double t0 = now_s();
    int rc = be->run_chunk(&bd, 0, b->n, detail, sizeof detail);
    double t1 = now_s();
    if (rc != 0) {
      fprintf(stderr, "  FAIL %s on the GPU: %s (%s)\n", workload,
              as_err_name(rc), detail);
      ok = 0;
      break;
    }
    if (i) gpu_t[i - 1] = t1 - t0;
  }
  for (int i = 0; ok && i <= runs; i++) {
    as_report rep;
    double t0 = now_s();
    int rc = as_run(cpu_ex, &bc, &rep);
    double t1 = now_s();
    if (rc != 0) {
      fprintf(stderr, "  FAIL %s on the CPU: %s\n", workload, as_err_name(rc));
      ok = 0;
      break;
    }
    if (i) cpu_t[i - 1] = t1 - t0;
  }
  ok = ok && !memcmp(cpu, dev, bytes);
  perf_result *p = &perf[n_perf < 7 ? n_perf++ : 7];
  snprintf(p->kernel, sizeof p->kernel, "%s", b->kernel->name);
  snprintf(p->workload, sizeof p->workload, "%s", workload);
  snprintf(p->unit, sizeof p->unit, "%s", unit);
  p->work = work;
  p->runs = runs;
  p->ok = ok;
  p->gpu_s = ok ? as__median(gpu_t, runs) : 0;
  p->cpu_s = ok ? as__median(cpu_t, runs) : 0;
  if (!ok) conf_failed++;
  printf("  %-4s %-11s %-44s gpu %.4fs  cpu %.4fs\n", ok ? "ok" : "FAIL",
         p->kernel, workload, p->gpu_s, p->cpu_s);
  fflush(stdout);
  free(cpu);
  free(dev);
}

static void throughput_all(void) {
  int scale = quick ? 4 : 1;
  char name[96];
  /* filter: the kernel's own work units, posting entries scanned. */
  uint32_t n = 8000 / (uint32_t)scale;
  gc_search q;
  gc_search_make(&q, n, 16, 600, 500, 10, 0.8);
  as_batch b = gc_search_batch(&q);
  double entries = 0;
  for (size_t t = 0; t < b.n; t++) entries += (double)b.kernel->cost(&b, t);
  snprintf(name, sizeof name, "%u functions of 16..600 tokens (s 0.80)", n);
  throughput(name, "entries/s", entries, &b);
  gc_search_free(&q);

  gc_ragged r;
  gc_ragged_init(&r);
  int pairs = 20000 / scale;
  for (int i = 0; i < pairs; i++) {
    uint32_t la = 32 + gc_below(2000);
    gc_add_pair(&r, la, la + gc_below(la / 4 + 1) - la / 8, 300, 10);
  }
  b = gc_ragged_batch(&as_kernel_align, &r);
  snprintf(name, sizeof name, "%d near-duplicate pairs of 32..2031 tokens", pairs);
  throughput(name, "GCUPS", (double)gc_align_cells(&r) / 1e9, &b);
  gc_ragged_free(&r);

  gc_ragged_init(&r);
  pairs = 32 / scale;
  for (int i = 0; i < pairs; i++) gc_add_pair(&r, 50000, 50000, 300, 10);
  b = gc_ragged_batch(&as_kernel_align, &r);
  snprintf(name, sizeof name, "%d near-duplicate pairs of 50000 tokens", pairs);
  throughput(name, "GCUPS", (double)gc_align_cells(&r) / 1e9, &b);
  gc_ragged_free(&r);
}

/* ---- the machine, and the JSON record ---- */

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c < 0x20)
      fprintf(f, "\\u%04x", c);
    else
      fputc(c, f);
  }
  fputc('"', f);
}

static double rate(double work, double seconds) {
  return seconds > 0 ? work / seconds : 0;
}

static int write_json(const char *path, unsigned long long seed,
                      const char *model, int threads, size_t free_b) {
  FILE *f = fopen(path, "w");
  if (!f) {
    perror(path);
    return -1;
  }
  char date[32];
  time_t t = time(NULL);
  strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
  fprintf(f, "{\n  \"tool\": \"accelstrat-gpu-check\",\n  \"date\": ");
  json_str(f, date);
  fprintf(f, ",\n  \"seed\": %llu,\n  \"quick\": %s,\n", seed,
          quick ? "true" : "false");
  fprintf(f, "  \"device\": {\"name\": ");
  json_str(f, gpu.name);
  fprintf(f, ", \"driver\": ");
  json_str(f, gpu.driver);
  fprintf(f, ", \"devices\": %d, \"total_mem\": %zu, \"free_mem\": %zu},\n",
          gpu.devices, gpu.total_mem, free_b);
  fprintf(f, "  \"machine\": {\"cpu\": ");
  json_str(f, model);
  fprintf(f, ", \"online_cpus\": %ld, \"threads\": %d},\n",
          sysconf(_SC_NPROCESSORS_ONLN), threads);
  fprintf(f, "  \"conformance\": [");
  for (int i = 0; i < n_conf; i++) {
    fprintf(f, "%s\n    {\"kernel\": ", i ? "," : "");
    json_str(f, conf[i].kernel);
    fprintf(f, ", \"case\": ");
    json_str(f, conf[i].name);
    fprintf(f, ", \"tasks\": %zu, \"ok\": %s, \"detail\": ", conf[i].tasks,
            conf[i].ok ? "true" : "false");
    json_str(f, conf[i].detail);
    fputc('}', f);
  }
  fprintf(f, "\n  ],\n  \"oom\": {\"status\": ");
  json_str(f, oom.status);
  fprintf(f, ", \"detail\": ");
  json_str(f, oom.detail);
  fprintf(f, "},\n  \"throughput\": [");
  for (int i = 0; i < n_perf; i++) {
    const perf_result *p = &perf[i];
    fprintf(f, "%s\n    {\"kernel\": ", i ? "," : "");
    json_str(f, p->kernel);
    fprintf(f, ", \"workload\": ");
    json_str(f, p->workload);
    fprintf(f, ", \"unit\": ");
    json_str(f, p->unit);
    fprintf(f,
            ", \"work\": %.17g, \"runs\": %d, \"ok\": %s, \"gpu_s\": %.6g, "
            "\"cpu_s\": %.6g, \"gpu_rate\": %.6g, \"cpu_rate\": %.6g, "
            "\"speedup\": %.4g}",
            p->work, p->runs, p->ok ? "true" : "false", p->gpu_s, p->cpu_s,
            rate(p->work, p->gpu_s), rate(p->work, p->cpu_s),
            p->gpu_s > 0 ? p->cpu_s / p->gpu_s : 0);
  }
  fprintf(f, "\n  ],\n  \"ok\": %s\n}\n", conf_failed ? "false" : "true");
  return fclose(f) ? -1 : 0;
}

static void print_table(const char *model, int threads) {
  printf("\n| kernel | workload | GPU (%s) | CPU (%d threads, %s) | speedup |\n",
         gpu.name, threads, model);
  printf("|---|---|---:|---:|---:|\n");
  for (int i = 0; i < n_perf; i++) {
    const perf_result *p = &perf[i];
    if (!p->ok) {
      printf("| %s | %s | failed | failed | |\n", p->kernel, p->workload);
      continue;
    }
    printf("| %s | %s | %.4g %s | %.4g %s | %.2fx |\n", p->kernel, p->workload,
           rate(p->work, p->gpu_s), p->unit, rate(p->work, p->cpu_s), p->unit,
           p->cpu_s / p->gpu_s);
  }
  printf("\nconformance: %d cases, %d failed; oom: %s\n", n_conf, conf_failed,
         oom.status);
}

/* ---- main ---- */

static void default_library(char *buf, size_t len) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) {
    snprintf(buf, len, "libaccelstrat-cuda.so");
    return;
  }
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (slash) *slash = '\0';
  if (snprintf(buf, len, "%s/../lib/libaccelstrat-cuda.so", exe) >= (int)len)
    snprintf(buf, len, "libaccelstrat-cuda.so");
}

static void usage(void) {
  fprintf(stderr,
          "usage: accelstrat-gpu-check [--lib PATH] [--json PATH] [--seed N] "
          "[--quick]\n");
  exit(2);
}

int main(int argc, char **argv) {
  char lib[PATH_MAX];
  const char *json = NULL;
  unsigned long long seed = (unsigned long long)time(NULL);
  default_library(lib, sizeof lib);
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--lib") && i + 1 < argc)
      snprintf(lib, sizeof lib, "%s", argv[++i]);
    else if (!strcmp(argv[i], "--json") && i + 1 < argc)
      json = argv[++i];
    else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
      seed = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--quick"))
      quick = 1;
    else
      usage();
  }
  gc_seed(seed);
  setvbuf(stdout, NULL, _IOLBF, 0);
  /* The CPU side must not load a GPU backend of its own. */
  setenv("ACCELSTRAT_GPU", "off", 1);

  if (access(lib, R_OK) != 0) {
    printf("CUDA backend unavailable: %s not built\n", lib);
    return SKIP;
  }
  void *module = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
  if (!module) {
    fprintf(stderr, "gpu-check: cannot load the CUDA backend: %s\n", dlerror());
    return 1;
  }
  as_gpu_backend_entry_fn entry =
      (as_gpu_backend_entry_fn)dlsym(module, AS_GPU_BACKEND_ENTRY);
  be = entry ? entry() : NULL;
  if (!be || be->abi != AS_GPU_BACKEND_ABI) {
    fprintf(stderr, "gpu-check: %s: %s\n", lib,
            be ? "backend ABI mismatch" : "no " AS_GPU_BACKEND_ENTRY);
    return 1;
  }
  char detail[200] = "";
  int rc = be->init(&gpu, detail, sizeof detail);
  if (rc != 0) {
    printf("CUDA backend unavailable (%s): %s\n", as_err_name(rc), detail);
    return SKIP;
  }
  size_t free_b = 0, total_b = 0;
  be->mem_info(&free_b, &total_b);
  char model[128];
  as_capabilities caps;
  as_capabilities_detect(&caps);
  snprintf(model, sizeof model, "%s", caps.cpu_model);
  as_config cfg;
  as_config_defaults(&cfg);
  cfg.strategy.kind = AS_STRATEGY_CPU;
  if ((rc = as_executor_create(&cfg, &cpu_ex)) != 0) {
    fprintf(stderr, "gpu-check: as_executor_create: %s\n", as_strerror(rc));
    return 1;
  }
  int threads = as_executor_capabilities(cpu_ex)->usable_cpus;
  printf("accelstrat-gpu-check: seed %llu (--seed %llu replays it)\n", seed, seed);
  printf("device: %s, driver %s, %d device(s), %zu of %zu MiB free\n", gpu.name,
         gpu.driver, gpu.devices, free_b >> 20, total_b >> 20);
  printf("host: %s, %d usable CPU threads\n", model, threads);

  double t0 = now_s();
  printf("\nconformance (CPU function vs run_chunk, byte for byte):\n");
  conformance_filter();
  conformance_align();
  printf("\nout of memory:\n");
  test_oom();
  printf("\nthroughput (median of %d runs after a warm-up):\n", quick ? 3 : 5);
  throughput_all();
  printf("\nthrough the runtime (as_run on this GPU; the last case kills it):\n");
  runtime_paths(lib);
  print_table(model, threads);
  printf("total %.1fs\n", now_s() - t0);

  if (json && write_json(json, seed, model, threads, free_b) != 0) conf_failed++;
  as_executor_destroy(cpu_ex);
  be->shutdown();
  return conf_failed ? 1 : 0;
}
