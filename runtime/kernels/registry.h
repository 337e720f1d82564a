/* The registry of built-in kernels: one entry per kernel holding what the
 * runtime and its tools know of it beyond its descriptor, so that each of
 * them loops over the table instead of naming kernels: batch files' input
 * checks, whether it has a GPU version (the executor and the sim), the cost
 * model's default rates, calibration's shapes, the synthetic generator and
 * the benchmarks' workload. The entries are in kernels.c, one section per
 * kernel; the device half of a kernel with a GPU version is its entry in the
 * CUDA backend's table (gpu/cuda/ops.cuh). */
#ifndef ACCELSTRAT_RUNTIME_KERNELS_REGISTRY_H
#define ACCELSTRAT_RUNTIME_KERNELS_REGISTRY_H

#include <stddef.h>

#include <accelstrat/kernel.h>

#include "synth.h"

/* Entries the table holds at most: what consumers size their arrays by. */
#define AS_BUILTIN_MAX 8
/* Calibration shapes per kernel at most. */
#define AS_BUILTIN_SHAPES 5

/* The cost model's rates without a profile, in nanoseconds: per work unit
 * (the kernel's cost) and per task on one CPU thread; on a GPU per unit, per
 * task, and per unit of one task alone (the parallelism inside a task). */
typedef struct as_builtin_rates {
  double cpu_unit, cpu_task;
  double gpu_unit, gpu_task, gpu_lane;
} as_builtin_rates;

typedef struct as_builtin {
  const as_kernel *kernel;
  /* The kernel's own input checks over tasks [begin, end): 0 or AS_EINVAL,
   * before anything is computed (the CPU function runs the same). */
  int (*check)(const as_batch *b, size_t begin, size_t end);
  /* Whether a GPU version exists: then the CUDA backend's table has one
   * (backend_test checks) and the sim runs the host code in its place. */
  int gpu;
  as_builtin_rates rates;
  /* Calibration's shapes, each about 10 ms on one CPU thread with the
   * default rates; one of a single task is the GPU's lone large task. */
  as_synth_shape shapes[AS_BUILTIN_SHAPES];
  int n_shapes;
  /* The benchmarks' workload (lengths and edit rate; n is theirs). */
  as_synth_shape workload;
  /* Fills s's data, offsets and shared block for shape (synth.h); the
   * caller adds the kernel, n and the outputs. */
  as_synth_fn make;
} as_builtin;

/* The entries in a fixed order (filter, align): index 0 .. count - 1. */
size_t as__builtin_count(void);
const as_builtin *as__builtin_at(size_t i);

/* The entry of descriptor k (the very descriptor of kernels.h), or NULL. */
const as_builtin *as__builtin_of(const as_kernel *k);
/* The entry of the built-in kernel called name[0, len), or NULL. */
const as_builtin *as__builtin_named(const char *name, size_t len);

/* Whether k has a GPU version: a built-in whose entry says so, or a test's
 * kernel given one with as__kernel_test_gpu. The executor asks this before
 * any backend; a backend then says whether it can run it. */
int as__kernel_has_gpu(const as_kernel *k);

/* Tests: k counts as having a GPU version, so that GPU strategies run it on
 * the sim (which runs host code; the CUDA backend has none for it). Before
 * the first run; a few kernels at most. */
void as__kernel_test_gpu(const as_kernel *k);

#endif
