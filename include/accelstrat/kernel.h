/* Kernels and batches: what as_run() executes. A kernel is a descriptor
 * (StarPU's codelet): a name, an output size per task, a cost function and a
 * CPU function over a range of tasks. GPU versions exist for the built-in
 * kernels of kernels.h only, inside the runtime and its GPU backends: a
 * kernel of one's own runs on CPU threads, and a strategy that asks for a
 * GPU falls back to them ("kernel has no GPU entry"). */
#ifndef ACCELSTRAT_KERNEL_H
#define ACCELSTRAT_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "export.h"

AS_EXTERN_C_BEGIN

typedef struct as_batch as_batch;

/* Work units of task i in the kernel's own unit (tokens, comparisons, cells).
 */
typedef uint64_t (*as_cost_fn)(const as_batch *b, size_t i);

/* Computes tasks [begin, end) of b, writing each task's out_size bytes at
 * out + i * out_size. Called concurrently on disjoint ranges; returns 0 or a
 * negative as_errno (the batch then fails with that code). */
typedef int (*as_cpu_fn)(const as_batch *b, size_t begin, size_t end);

typedef struct as_kernel {
  const char *name; /* unique: the profile keeps rates by name */
  unsigned version; /* bumped whenever the kernel's output changes */
  size_t out_size;  /* bytes of output per task */
  as_cost_fn cost;  /* may be NULL: every task costs 1 */
  as_cpu_fn cpu;    /* required */
  /* Unread; set it to 0. It was has_gpu, which could not give a kernel a GPU
   * version it did not have: the slot keeps the struct's layout, so code
   * built against either header runs with either library. */
  int reserved;
} as_kernel;

/* n tasks over a ragged input: task i reads bytes [offsets[i], offsets[i+1])
 * of data (offsets may be NULL for tasks without their own input) plus the
 * read-only shared block. */
struct as_batch {
  const as_kernel *kernel;
  size_t n;
  const void *data;
  const uint64_t *offsets; /* n + 1 entries, or NULL */
  const void *shared;
  size_t shared_size;
  void *out; /* n * kernel->out_size bytes */
};

/* Task i's input and its size in bytes. */
static inline const void *as_task_input(const as_batch *b, size_t i,
                                        size_t *size) {
  if (!b->offsets) {
    if (size) *size = 0;
    return NULL;
  }
  if (size) *size = (size_t)(b->offsets[i + 1] - b->offsets[i]);
  return (const char *)b->data + b->offsets[i];
}

static inline void *as_task_output(const as_batch *b, size_t i) {
  return (char *)b->out + i * b->kernel->out_size;
}

/* Bytes tasks [begin, end) of b occupy on a device: their inputs, offsets
 * and outputs, and the shared block (what a GPU chunk must fit in). */
static inline size_t as_batch_device_bytes(const as_batch *b, size_t begin,
                                           size_t end) {
  size_t bytes = b->shared_size + (end - begin) * b->kernel->out_size;
  if (b->offsets)
    bytes += (size_t)(b->offsets[end] - b->offsets[begin]) +
             (end - begin + 1) * sizeof *b->offsets;
  return bytes;
}

AS_EXTERN_C_END

#endif
