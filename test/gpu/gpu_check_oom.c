/* accelstrat-gpu-check's out of memory: a chunk larger than the free device
 * memory (most of it taken first, gpu_check_hog.c) must fail with
 * AS_EGPU_OOM, its outputs untouched, and the device must still work. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu_check.h"
#include "gpu_check_hog.h"
#include "gpu_check_inputs.h"

/* A small align chunk still runs and matches the CPU. */
static int device_still_works(const char *when) {
  gc_ragged r;
  gc_ragged_init(&r);
  for (int i = 0; i < 64; i++)
    gc_add_pair(&r, 500 + gc_below(1000), 600, 100, 8);
  as_batch b = gc_ragged_batch(&as_kernel_align, &r);
  int before = gc_res.failed;
  char name[80];
  snprintf(name, sizeof name, "small chunk %s", when);
  gc_conformance(name, &b, 0, b.n, 0);
  gc_ragged_free(&r);
  return gc_res.failed == before;
}

void gc_test_oom(void) {
  char why[200] = "";
  /* Start from no kept buffers, so the free memory is all there is. */
  gc.be->shutdown();
  if (gc.be->init(&gc.gpu, why, sizeof why) != 0) {
    gc_res.oom_status = "fail";
    snprintf(gc_res.oom_detail, sizeof gc_res.oom_detail, "re-init failed: %s",
             why);
    return;
  }
  if (gc_hog_memory((size_t)1 << 30, why, sizeof why) != 0) {
    gc_hog_release();
    snprintf(gc_res.oom_detail, sizeof gc_res.oom_detail, "not tested: %s",
             why);
    printf("  skip oom: %s\n", gc_res.oom_detail);
    return;
  }
  size_t free_b = 0, total_b = 0;
  gc.be->mem_info(&free_b, &total_b);
  /* Inputs alone larger than what is free: 4 MiB align tasks, each a
   * stream against an empty one (no workspace, nothing to compute). */
  size_t per_task = (size_t)1 << 20,
         tasks = (free_b + ((size_t)256 << 20)) / 4 / per_task + 1;
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
  int rc = gc.be->run_chunk(&b, 0, tasks, detail, sizeof detail);
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
  gc_res.oom_status = pass ? "pass" : "fail";
  snprintf(gc_res.oom_detail, sizeof gc_res.oom_detail,
           "%zu MiB input, %zu MiB free: %s (%s); outputs %s; device %s",
           tasks * per_task * 4 >> 20, free_b >> 20, as_err_name(rc), detail,
           untouched ? "untouched" : "written",
           works_held && works_freed ? "still works" : "broken");
  if (!pass) gc_res.failed++;
}
