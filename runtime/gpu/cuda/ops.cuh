/* The CUDA backend's table of kernels: one entry per built-in kernel with a
 * GPU version (kernels/registry.h says which have one;
 * test/gpu/backend_test.cpp checks that this table has exactly those). An entry
 * holds what is particular to its kernel: how backend.cu finds it, its input
 * checks, the device arrays it needs beside the tasks' bytes, their staging,
 * and its launches; backend.cu does the rest (buffers, streams, copies, errors)
 * alike for every kernel. The device code itself is in kernels.cuh. */
#ifndef ACCELSTRAT_GPU_CUDA_OPS_CUH
#define ACCELSTRAT_GPU_CUDA_OPS_CUH

#include <cuda_runtime.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <algorithm>

#include <accelstrat/kernels.h>

#include "align.h"
#include "filter.h"
#include "kernels.cuh"

#define AS_BUF_ALIGN 256u
/* Arrays of a kernel's own that a part's input copy carries. */
#define AS_PART_ARRAYS 2

namespace {

/* One half of a chunk: tasks [begin, end), and where its pieces live. Input
 * pieces and outputs sit at the same offsets in the pinned and the device
 * buffer; workspaces only on the device, after everything else. */
struct part {
  size_t begin, end;
  uint32_t tasks;
  uint64_t data_from,
      data_bytes;         /* host range [offsets[begin], offsets[end]) */
  size_t in_at, in_bytes; /* one copy: offsets, the kernel's arrays, data */
  size_t offs_at, data_at;
  size_t array_at[AS_PART_ARRAYS];
  size_t out_at, out_bytes;
  size_t work_at;
  uint64_t work_words; /* the kernel's device-only workspace */
  uint32_t split;      /* from the kernel's staging to its launches (align:
                          the warp pairs, first in its list) */
};

size_t align_up(size_t x) {
  return (x + AS_BUF_ALIGN - 1) / AS_BUF_ALIGN * AS_BUF_ALIGN;
}

/* Reserves bytes at *at (each piece starts aligned) and returns where they
 * start; a size no device could hold sets *huge instead (no overflow). */
size_t place(size_t *at, uint64_t bytes, int *huge) {
  size_t start = *at;
  if (bytes > ((size_t)1 << 50) || *at > ((size_t)1 << 50))
    *huge = 1;
  else
    *at = align_up(*at + (size_t)bytes);
  return start;
}

unsigned blocks_for(uint64_t items, unsigned per_block) {
  return (unsigned)((items + per_block - 1) / per_block);
}

struct kernel_ops {
  /* The descriptor this code computes: name, version and output size. */
  const char *name;
  unsigned version;
  size_t out_size;
  /* The __global__ functions, loaded when the backend starts. */
  const void *entries[4];
  /* Tasks [begin, end) pass the kernel's own input checks: 0 or AS_EINVAL. */
  int (*check)(const as_batch *b, size_t begin, size_t end);
  /* Bytes of the shared block the device reads (copied once per batch). */
  size_t (*shared_bytes)(const as_batch *b);
  /* Whether the device reads the tasks' offsets. */
  bool offsets;
  /* Places the kernel's arrays (array_at) in p's input copy, before its
   * data, and sets its workspace (work_words); may be NULL. */
  void (*place_arrays)(const as_batch *b, part &p, size_t *at, int *huge);
  /* Fills them in the pinned buffer h, after the offsets and data; may be
   * NULL. */
  void (*stage)(const as_batch *b, part &p, unsigned char *h);
  /* Launches p on stream st; d is the device buffer, the shared block at
   * shared_at. */
  void (*launch)(const part &p, unsigned char *d, size_t shared_at,
                 cudaStream_t st);
};

/* ---- filter: one thread per task; tasks back to back (each exactly one
 * as_filter_task, checked), so the device needs no offsets. ---- */

int filter_check(const as_batch *b, size_t begin, size_t end) {
  as_filter_view v;
  return as__check_filter(b, begin, end, &v);
}

size_t filter_shared_bytes(const as_batch *b) {
  const as_filter_shared *hdr = (const as_filter_shared *)b->shared;
  return sizeof *hdr + as_filter_words(hdr) * sizeof(uint32_t);
}

void filter_launch(const part &p, unsigned char *d, size_t shared_at,
                   cudaStream_t st) {
  as_filter_args a = {(const as_filter_shared *)(d + shared_at),
                      (const as_filter_task *)(d + p.data_at), p.tasks,
                      (as_filter_out *)(d + p.out_at)};
  as_filter_kernel<<<blocks_for(p.tasks, AS_FILTER_THREADS), AS_FILTER_THREADS,
                     0, st>>>(a);
}

const kernel_ops filter_ops = {
    "filter",
    1,
    sizeof(as_filter_out),
    {(const void *)as_filter_kernel},
    filter_check,
    filter_shared_bytes,
    false,
    NULL,
    NULL,
    filter_launch,
};

/* ---- align: each task's workspace and the order the pairs run in (warp
 * pairs first, then the rest, each longest first, so the long ones start
 * early and a warp's threads get similar work). ---- */

enum { ALIGN_WORK_OFF, ALIGN_LIST };

void align_place(const as_batch *b, part &p, size_t *at, int *huge) {
  p.array_at[ALIGN_WORK_OFF] =
      place(at, (uint64_t)p.tasks * sizeof(uint64_t), huge);
  p.array_at[ALIGN_LIST] =
      place(at, (uint64_t)p.tasks * sizeof(uint32_t), huge);
  for (size_t i = p.begin; i < p.end; i++) {
    const as_align_task *t = as__align_task(b, i);
    p.work_words += as_align_task_words(t->len_a, t->len_b);
  }
  if (p.work_words > ((uint64_t)1 << 47)) *huge = 1;
}

void align_stage(const as_batch *b, part &p, unsigned char *h) {
  uint64_t *work_off = (uint64_t *)(h + p.array_at[ALIGN_WORK_OFF]);
  uint32_t *list = (uint32_t *)(h + p.array_at[ALIGN_LIST]);
  uint64_t words = 0;
  p.split = 0;
  for (uint32_t i = 0; i < p.tasks; i++) {
    const as_align_task *t = as__align_task(b, p.begin + i);
    work_off[i] = words;
    words += as_align_task_words(t->len_a, t->len_b);
    list[i] = i;
    p.split += (uint32_t)as_align_uses_warp(t->len_a, t->len_b);
  }
  size_t begin = p.begin;
  std::sort(list, list + p.tasks, [b, begin](uint32_t x, uint32_t y) {
    const as_align_task *tx = as__align_task(b, begin + x);
    const as_align_task *ty = as__align_task(b, begin + y);
    int wx = as_align_uses_warp(tx->len_a, tx->len_b);
    int wy = as_align_uses_warp(ty->len_a, ty->len_b);
    if (wx != wy) return wx > wy;
    uint64_t cx = (uint64_t)tx->len_a * tx->len_b;
    uint64_t cy = (uint64_t)ty->len_a * ty->len_b;
    if (cx != cy) return cx > cy;
    return x < y;
  });
}

void align_launch(const part &p, unsigned char *d, size_t, cudaStream_t st) {
  as_align_args a = {d + p.data_at,
                     (const uint64_t *)(d + p.offs_at),
                     (const uint64_t *)(d + p.array_at[ALIGN_WORK_OFF]),
                     (const uint32_t *)(d + p.array_at[ALIGN_LIST]),
                     p.split,
                     (uint64_t *)(d + p.work_at),
                     (as_align_out *)(d + p.out_at)};
  if (a.count)
    as_align_warp_kernel<<<blocks_for(a.count, AS_ALIGN_WARPS),
                           AS_ALIGN_WARP_THREADS, 0, st>>>(a);
  a.list += p.split;
  a.count = p.tasks - p.split;
  if (a.count)
    as_align_thread_kernel<<<blocks_for(a.count, AS_ALIGN_THREADS),
                             AS_ALIGN_THREADS, 0, st>>>(a);
}

const kernel_ops align_ops = {
    "align",
    1,
    sizeof(as_align_out),
    {(const void *)as_align_thread_kernel, (const void *)as_align_warp_kernel},
    as__check_align,
    NULL,
    true,
    align_place,
    align_stage,
    align_launch,
};

/* ---- the table ---- */

const kernel_ops *const kernel_table[] = {&filter_ops, &align_ops};

/* The entry that computes k, or NULL. */
const kernel_ops *ops_of(const as_kernel *k) {
  if (!k || !k->name) return NULL;
  for (const kernel_ops *ops : kernel_table)
    if (!strcmp(k->name, ops->name) && k->version == ops->version &&
        k->out_size == ops->out_size)
      return ops;
  return NULL;
}

} // namespace

#endif
