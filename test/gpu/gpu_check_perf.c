/* accelstrat-gpu-check's throughput: each kernel on the GPU (run_chunk,
 * transfers included) and on all CPU threads (as_run, strategy cpu):
 * warm-up, then the median of several runs. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu_check.h"
#include "gpu_check_inputs.h"
#include "support/stats.h"

gc_perf_result *gc_perf_new(void) {
  gc_perf_result *p =
      &gc_res.perf[gc_res.n_perf < GC_MAX_PERF - 1 ? gc_res.n_perf++
                                                   : GC_MAX_PERF - 1];
  memset(p, 0, sizeof *p);
  return p;
}

static void throughput(const char *workload, const char *unit, double work,
                       const as_batch *b) {
  int runs = gc.quick ? 3 : 5;
  size_t bytes = b->n * b->kernel->out_size;
  unsigned char *cpu = gc_xmalloc(bytes), *dev = gc_xmalloc(bytes);
  as_batch bc = *b, bd = *b;
  bc.out = cpu;
  bd.out = dev;
  double gpu_t[9], cpu_t[9];
  char detail[160] = "";
  int ok = 1;
  for (int i = 0; i <= runs; i++) { /* run 0 warms up */
    double t0 = gc_now_s();
    int rc = gc.be->run_chunk(&bd, 0, b->n, detail, sizeof detail);
    double t1 = gc_now_s();
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
    double t0 = gc_now_s();
    int rc = as_run(gc.cpu_ex, &bc, &rep);
    double t1 = gc_now_s();
    if (rc != 0) {
      fprintf(stderr, "  FAIL %s on the CPU: %s\n", workload, as_err_name(rc));
      ok = 0;
      break;
    }
    if (i) cpu_t[i - 1] = t1 - t0;
  }
  ok = ok && !memcmp(cpu, dev, bytes);
  gc_perf_result *p = gc_perf_new();
  snprintf(p->kernel, sizeof p->kernel, "%s", b->kernel->name);
  snprintf(p->workload, sizeof p->workload, "%s", workload);
  snprintf(p->unit, sizeof p->unit, "%s", unit);
  p->work = work;
  p->runs = runs;
  p->ok = ok;
  p->gpu_s = ok ? as__median(gpu_t, runs) : 0;
  p->cpu_s = ok ? as__median(cpu_t, runs) : 0;
  if (!ok) gc_res.failed++;
  printf("  %-4s %-11s %-44s gpu %.4fs  cpu %.4fs\n", ok ? "ok" : "FAIL",
         p->kernel, workload, p->gpu_s, p->cpu_s);
  fflush(stdout);
  free(cpu);
  free(dev);
}

/* The align pairs of r, measured (GCUPS) and freed. */
static void align_throughput(gc_ragged *r, const char *name) {
  as_batch b = gc_ragged_batch(&as_kernel_align, r);
  throughput(name, "GCUPS", (double)gc_align_cells(r) / 1e9, &b);
  gc_ragged_free(r);
}

void gc_throughput_all(void) {
  int scale = gc.quick ? 4 : 1;
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
  snprintf(name, sizeof name, "%d near-duplicate pairs of 32..2031 tokens",
           pairs);
  align_throughput(&r, name);

  /* The warp kernel's match rows in shared memory: pairs whose shorter
   * stream has at most 256 tokens (they always fit at this alphabet), and
   * long ones of few distinct tokens (W words over the lanes). */
  gc_ragged_init(&r);
  pairs = 100000 / scale;
  for (int i = 0; i < pairs; i++) {
    uint32_t la = 16 + gc_below(240);
    gc_add_pair(&r, la, la, 300, 10);
  }
  snprintf(name, sizeof name, "%d near-duplicate pairs of 16..255 tokens",
           pairs);
  align_throughput(&r, name);

  gc_ragged_init(&r);
  pairs = 8000 / scale;
  for (int i = 0; i < pairs; i++) gc_add_pair(&r, 2000, 2000, 12, 10);
  snprintf(name, sizeof name,
           "%d near-duplicate pairs of 2000 tokens, 12 distinct", pairs);
  align_throughput(&r, name);

  gc_ragged_init(&r);
  pairs = 32 / scale;
  for (int i = 0; i < pairs; i++) gc_add_pair(&r, 50000, 50000, 300, 10);
  snprintf(name, sizeof name, "%d near-duplicate pairs of 50000 tokens", pairs);
  align_throughput(&r, name);
}
