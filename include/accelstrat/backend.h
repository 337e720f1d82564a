/* The GPU backend ABI: one small table of functions (StarPU's cuda_funcs,
 * jemalloc's hook tables) that a backend module exports, versioned by
 * AS_GPU_BACKEND_ABI. "cuda" is libaccelstrat-cuda.so, loaded with dlopen
 * only when a GPU strategy is considered; "sim" is the runtime's host-side
 * stand-in. The runtime never calls a backend directly: it goes through its
 * GPU layer (runtime/gpu/gpu.c), which adds fault injection and the
 * process-wide state. Public for backends and for tests that drive a
 * module themselves (accelstrat-gpu-check); not needed to use the runtime. */
#ifndef ACCELSTRAT_BACKEND_H
#define ACCELSTRAT_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "kernel.h"

AS_EXTERN_C_BEGIN

#define AS_GPU_BACKEND_ABI 1

/* The runtime's chunks fill at most 1/AS_GPU_CHUNK_MEM_DIVISOR of the
 * device memory free when they are sized. */
#define AS_GPU_CHUNK_MEM_DIVISOR 2

typedef struct as_gpu_info {
  char name[64];    /* device name ("NVIDIA H100 80GB HBM3", "sim") */
  char driver[32];  /* driver version, "" when none */
  int devices;      /* usable devices (after CUDA_VISIBLE_DEVICES) */
  size_t total_mem; /* bytes */
  int is_simulated; /* 1 for sim: never reported as a GPU */
} as_gpu_info;

typedef struct as_gpu_backend {
  unsigned abi;     /* AS_GPU_BACKEND_ABI */
  const char *name; /* "cuda" or "sim" */
  /* Creates the context. 0, or AS_EGPU_UNAVAILABLE with a reason in detail. */
  int (*init)(as_gpu_info *info, char *detail, size_t len);
  /* Free and total device memory now. */
  int (*mem_info)(size_t *free_bytes, size_t *total_bytes);
  /* Whether the backend implements kernel k on the device. */
  int (*has_kernel)(const as_kernel *k);
  /* Runs tasks [begin, end) of b on the device and copies their outputs to
   * b->out. Returns 0, AS_EGPU_OOM (nothing of the chunk was written; a
   * smaller chunk may fit), AS_EGPU_DRIVER (the device is unusable for the
   * rest of the process) or AS_EGPU_UNAVAILABLE. detail gets the driver's
   * words. */
  int (*run_chunk)(const as_batch *b, size_t begin, size_t end, char *detail,
                   size_t len);
  void (*shutdown)(void);
} as_gpu_backend;

/* The symbol libaccelstrat-cuda.so exports. */
typedef const as_gpu_backend *(*as_gpu_backend_entry_fn)(void);
#define AS_GPU_BACKEND_ENTRY "as_gpu_backend_cuda"

AS_EXTERN_C_END

#endif
