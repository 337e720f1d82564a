/* accelstrat-gpu-check's conformance: every kernel through the CPU function
 * and the backend's run_chunk on fresh random inputs, byte for byte; then
 * as_run with GPU strategies on this GPU, with and without injected faults:
 * the CPU's outputs, every task once, the events recorded. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu_check.h"
#include "gpu_check_inputs.h"

gc_conf_result *gc_conf_new(const as_kernel *k, const char *name,
                            size_t tasks) {
  gc_conf_result *r =
      &gc_res.conf[gc_res.n_conf < GC_MAX_CONF - 1 ? gc_res.n_conf++
                                                   : GC_MAX_CONF - 1];
  memset(r, 0, sizeof *r);
  snprintf(r->kernel, sizeof r->kernel, "%s", k->name);
  snprintf(r->name, sizeof r->name, "%s", name);
  r->tasks = tasks;
  return r;
}

void gc_conf_done(const gc_conf_result *r) {
  gc_res.failed += !r->ok;
  printf("  %-4s %-11s %-52s %8zu tasks  %s\n", r->ok ? "ok" : "FAIL",
         r->kernel, r->name, r->tasks, r->detail);
  fflush(stdout);
}

/* Runs tasks [begin, end) of b through the CPU function and run_chunk into
 * two buffers filled alike beforehand, and compares return codes and every
 * byte (the tasks outside the range must stay untouched by both). With
 * expect_rc != 0 only the codes are compared (the CPU writes tasks before
 * the bad one). */
void gc_conformance(const char *name, const as_batch *b, size_t begin,
                    size_t end, int expect_rc) {
  size_t bytes = b->n * b->kernel->out_size;
  unsigned char *cpu = gc_xmalloc(bytes), *dev = gc_xmalloc(bytes);
  memset(cpu, 0x5a, bytes);
  memset(dev, 0x5a, bytes);
  as_batch bc = *b, bd = *b;
  bc.out = cpu;
  bd.out = dev;
  char detail[160] = "";
  double t0 = gc_now_s();
  int rc_cpu = b->kernel->cpu(&bc, begin, end);
  double t1 = gc_now_s();
  int rc_dev = gc.be->run_chunk(&bd, begin, end, detail, sizeof detail);
  double t2 = gc_now_s();
  gc_conf_result *r = gc_conf_new(b->kernel, name, end - begin);
  r->ok = rc_cpu == expect_rc && rc_dev == expect_rc;
  if (!r->ok) {
    snprintf(r->detail, sizeof r->detail, "cpu %s, gpu %s (%s), expected %s",
             as_err_name(rc_cpu), as_err_name(rc_dev), detail,
             as_err_name(expect_rc));
  } else if (expect_rc == 0 && memcmp(cpu, dev, bytes) != 0) {
    size_t i = 0;
    while (i < b->n &&
           !memcmp(cpu + i * b->kernel->out_size, dev + i * b->kernel->out_size,
                   b->kernel->out_size))
      i++;
    r->ok = 0;
    snprintf(r->detail, sizeof r->detail, "outputs differ from task %zu%s", i,
             i < begin || i >= end ? " (outside the chunk)" : "");
  } else {
    snprintf(r->detail, sizeof r->detail, "cpu %.3fs, gpu %.3fs", t1 - t0,
             t2 - t1);
  }
  gc_conf_done(r);
  free(cpu);
  free(dev);
}

/* Searches over families of near-duplicates: more than one block of
 * partners per query, thresholds from loose to exact, the block edges,
 * long streams, and damaged inputs. */
void gc_conformance_filter(void) {
  static const double thresholds[] = {0.5, 0.8, 0.95, 1.0};
  uint32_t n = gc.quick ? 1500 : 4000;
  char name[80];
  for (size_t t = 0; t < sizeof thresholds / sizeof *thresholds; t++) {
    gc_search q;
    gc_search_make(&q, n, 1, 300, 30 + gc_below(300), 4 + gc_below(20),
                   thresholds[t]);
    as_batch b = gc_search_batch(&q);
    snprintf(name, sizeof name, "%u functions of 1..300 tokens, s %.2f", n,
             thresholds[t]);
    gc_conformance(name, &b, 0, b.n, 0);
    if (t == 1) {
      gc_conformance("chunk [7, n-5)", &b, 7, b.n - 5, 0);
      gc_conformance("one task", &b, b.n / 2, b.n / 2 + 1, 0);
    }
    gc_search_free(&q);
  }
  static const uint32_t edges[] = {2, 3, 511, 512, 513, 514, 1025};
  for (size_t e = 0; e < sizeof edges / sizeof *edges; e++) {
    gc_search q;
    gc_search_make(&q, edges[e], 1, 60, 8, 5, 0.7);
    as_batch b = gc_search_batch(&q);
    snprintf(name, sizeof name, "%u functions (block edges)", edges[e]);
    gc_conformance(name, &b, 0, b.n, 0);
    gc_search_free(&q);
  }
  gc_search q;
  gc_search_make(&q, gc.quick ? 60 : 200, 5000, 20000, 500, 30, 0.8);
  as_batch b = gc_search_batch(&q);
  gc_conformance("functions of 5000..20000 tokens", &b, 0, b.n, 0);
  gc_search_free(&q);

  gc_search_make(&q, 600, 1, 50, 10, 5, 0.7);
  b = gc_search_batch(&q);
  q.shared->reserved = 1;
  gc_conformance("malformed: reserved field of the block", &b, 0, b.n,
                 AS_EINVAL);
  q.shared->reserved = 0;
  q.tasks[b.n / 2].query = q.shared->n;
  gc_conformance("malformed: a query outside the block", &b, 0, b.n, AS_EINVAL);
  gc_search_free(&q);
}

void gc_conformance_align(void) {
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
  gc_conformance("edge lengths 0..4096, 3 alphabets", &b, 0, b.n, 0);
  gc_conformance("chunk [11, n-13)", &b, 11, b.n - 13, 0);
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
  gc_conformance("50000-token streams", &b, 0, b.n, 0);
  gc_ragged_free(&r);

  gc_ragged_init(&r);
  for (int i = 0; i < (gc.quick ? 500 : 3000); i++) {
    uint32_t la = 16 + gc_below(2000);
    gc_add_pair(&r, la, la + gc_below(la / 4 + 1) - la / 8, 100 + gc_below(400),
                4 + gc_below(30));
  }
  b = gc_ragged_batch(&as_kernel_align, &r);
  gc_conformance("random near-duplicates 16..2000 tokens", &b, 0, b.n, 0);
  gc_ragged_free(&r);

  gc_ragged_init(&r);
  gc_add_pair(&r, 5, 5, 0, 0);
  gc_add_pair(&r, 5, 5, 0, 0);
  r.off[2] -= 4; /* task 1 one token short */
  b = gc_ragged_batch(&as_kernel_align, &r);
  gc_conformance("malformed: size mismatch", &b, 0, 2, AS_EINVAL);
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
  as_fault planted;
  long at;
  int rc = as_config_set(&cfg, "strategy", strategy, err, sizeof err);
  if (rc == 0) rc = as_fault_parse(fault, &planted, &at);
  if (rc == 0) rc = as_executor_create(&cfg, &ex);
  if (rc == 0) rc = as_executor_inject(ex, planted, at);
  if (rc == 0) rc = as_run(ex, &run, &rep);
  snprintf(name, sizeof name, "as_run strategy=%s inject=%s", strategy, fault);
  gc_conf_result *r = gc_conf_new(b->kernel, name, b->n);
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
           rc ? as_strerror(rc) : "ok",
           (unsigned long long)rep.tasks_on[AS_DEVICE_GPU],
           (unsigned long long)rep.tasks_on[AS_DEVICE_CPU], rep.n_events,
           rep.n_events ? ": " : "",
           rep.n_events ? as_event_cause_name(rep.events[0].cause) : "",
           rep.exec_ns * 1e-9);
  gc_conf_done(r);
  as_executor_destroy(ex);
  free(out);
}

/* One batch through every case: its CPU outputs first. */
static void runtime_cases(as_batch b, const char *const (*cases)[2], size_t n) {
  unsigned char *expect = gc_xmalloc(b.n * b.kernel->out_size);
  b.out = expect;
  if (b.kernel->cpu(&b, 0, b.n) != 0) gc_res.failed++;
  for (size_t i = 0; i < n; i++)
    runtime_case(&b, expect, cases[i][0], cases[i][1]);
  free(expect);
}

/* The runtime's own paths on the real device: dynamic and static hybrid,
 * then an injected out-of-memory (the chunk halves) and last an injected
 * driver error, after which the runtime leaves the GPU alone for good. */
void gc_runtime_paths(const char *lib) {
  setenv("ACCELSTRAT_GPU", "cuda", 1);
  setenv("ACCELSTRAT_CUDA_LIBRARY", lib, 1);
  /* filter: the shared block kept across a batch's chunks. */
  static const char *const filter_cases[][2] = {
      {"hybrid", "none"}, {"gpu", "none"}, {"gpu", "gpu-oom@0"}};
  gc_search q;
  gc_search_make(&q, gc.quick ? 2000 : 6000, 8, 600, 200, 8, 0.8);
  runtime_cases(gc_search_batch(&q), filter_cases,
                sizeof filter_cases / sizeof *filter_cases);
  gc_search_free(&q);
  gc_ragged r;
  gc_ragged_init(&r);
  for (int i = 0; i < (gc.quick ? 400 : 2000); i++) {
    uint32_t la = 64 + gc_below(3000);
    gc_add_pair(&r, la, la + gc_below(la / 8 + 1), 50 + gc_below(200),
                5 + gc_below(20));
  }
  static const char *const cases[][2] = {{"hybrid", "none"},
                                         {"hybrid:0.7", "none"},
                                         {"gpu", "none"},
                                         {"gpu", "gpu-oom@0"},
                                         {"gpu", "gpu-driver-error@0"}};
  runtime_cases(gc_ragged_batch(&as_kernel_align, &r), cases,
                sizeof cases / sizeof *cases);
  gc_ragged_free(&r);
}
