/* GPU backends behind one small table (StarPU's cuda_funcs, jemalloc's hook
 * tables): "cuda" (libaccelstrat-cuda.so, loaded with dlopen only when a GPU
 * strategy is considered) and "sim" (a host-side stand-in for tests). The
 * executor never calls a backend directly: it goes through as__gpu_*()
 * (gpu.c), which adds fault injection and the process-wide state. */
#ifndef ACCELSTRAT_RUNTIME_GPU_BACKEND_H
#define ACCELSTRAT_RUNTIME_GPU_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include <accelstrat/kernel.h>

#define AS_GPU_BACKEND_ABI 1

typedef struct as_gpu_info {
  char name[64];      /* device name ("NVIDIA H100 80GB HBM3", "sim") */
  char driver[32];    /* driver version, "" when none */
  int devices;        /* usable devices (after CUDA_VISIBLE_DEVICES) */
  size_t total_mem;   /* bytes */
  int is_simulated;   /* 1 for sim: never reported as a GPU */
} as_gpu_info;

typedef struct as_gpu_backend {
  unsigned abi;       /* AS_GPU_BACKEND_ABI */
  const char *name;   /* "cuda" or "sim" */
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

#endif
