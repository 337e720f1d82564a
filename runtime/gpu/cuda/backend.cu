/* The CUDA backend (libaccelstrat-cuda.so): the as_gpu_backend table over the
 * CUDA runtime, linked statically, so the library needs only the driver's
 * libcuda.so.1, which cudart loads when first called; without a driver, init
 * says so and nothing else happens.
 *
 * A chunk goes to the device in two halves on two streams: while one half
 * computes, the other's inputs are copied in (and its pinned staging filled
 * by the host). Device and pinned buffers are kept between chunks and grown
 * when a chunk needs more; on running out of device memory they are freed
 * and the chunk fails with AS_EGPU_OOM before anything ran, outputs
 * untouched. A batch's shared block is copied once for all its chunks: it
 * stays at the start of both buffers, and a chunk whose block is byte for
 * byte the one kept there (compared with the pinned copy) skips the copy. Any
 * other CUDA error marks the device unusable (AS_EGPU_DRIVER): the sticky ones
 * leave the context broken, and the rest mean a bug. */
#include <cuda_runtime.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <algorithm>

#include <accelstrat/error.h>
#include <accelstrat/kernels.h>

#include <accelstrat/backend.h>
#include "ops.cuh"
#include "support/message.h"

#define AS_STREAMS 2

namespace {

struct state {
  int ready;
  int dead;
  char dead_detail[160];
  int sm_count;
  cudaStream_t stream[AS_STREAMS];
  cudaEvent_t shared_copied;
  unsigned char *dev;
  size_t dev_cap;
  unsigned char *pinned;
  size_t pinned_cap;
  size_t shared_kept; /* bytes of shared block at offset 0 of both buffers */
  as_gpu_info info;
};

state g;
pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

struct lock_guard {
  lock_guard() { pthread_mutex_lock(&g_lock); }
  ~lock_guard() { pthread_mutex_unlock(&g_lock); }
};

void say(char *detail, size_t len, const char *what, cudaError_t e) {
  as__message(detail, len, "%s: %s (%s)", what, cudaGetErrorName(e),
              cudaGetErrorString(e));
}

int classify(cudaError_t e) {
  switch (e) {
  case cudaErrorMemoryAllocation: return AS_EGPU_OOM;
  case cudaErrorNoDevice:
  case cudaErrorInsufficientDriver:
  case cudaErrorStubLibrary:
  case cudaErrorCallRequiresNewerDriver:
  case cudaErrorDevicesUnavailable:
  case cudaErrorSystemNotReady:
  case cudaErrorSystemDriverMismatch:
  case cudaErrorCompatNotSupportedOnDevice:
  case cudaErrorNoKernelImageForDevice: return AS_EGPU_UNAVAILABLE;
  default:
    /* Sticky errors (illegal address, launch failure, ECC, ...) and
     * anything unexpected: the device is not trusted again. */
    return AS_EGPU_DRIVER;
  }
}

/* Classifies a failed call, remembers a driver error for every later chunk
 * and clears the error state of one that leaves the device usable. */
int fail(char *detail, size_t len, const char *what, cudaError_t e) {
  say(detail, len, what, e);
  int rc = classify(e);
  if (rc == AS_EGPU_DRIVER) {
    g.dead = 1;
    say(g.dead_detail, sizeof g.dead_detail, what, e);
  } else {
    (void)cudaGetLastError();
  }
  return rc;
}

void release_buffers(void) {
  if (g.dev) cudaFree(g.dev);
  if (g.pinned) cudaFreeHost(g.pinned);
  g.dev = NULL;
  g.pinned = NULL;
  g.dev_cap = g.pinned_cap = 0;
  g.shared_kept = 0;
}

/* ---- init / mem_info / has_kernel / shutdown ---- */

int cuda_init(as_gpu_info *info, char *detail, size_t len) {
  lock_guard lock;
  if (g.ready) {
    if (info) *info = g.info;
    return 0;
  }
  int count = 0;
  cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess || count == 0) {
    const char *why =
        e == cudaErrorInsufficientDriver || e == cudaErrorStubLibrary
            ? "no CUDA driver"
        : e == cudaErrorNoDevice || e == cudaSuccess ? "no CUDA device"
                                                     : "CUDA unavailable";
    if (e == cudaSuccess)
      as__message(detail, len, "%s", why);
    else
      say(detail, len, why, e);
    (void)cudaGetLastError();
    return AS_EGPU_UNAVAILABLE;
  }
  /* CUDA_VISIBLE_DEVICES has already renumbered the devices: 0 is the first
   * one the user lets us see. */
  cudaDeviceProp prop;
  if ((e = cudaSetDevice(0)) != cudaSuccess ||
      (e = cudaGetDeviceProperties(&prop, 0)) != cudaSuccess) {
    say(detail, len, "CUDA device 0 unusable", e);
    (void)cudaGetLastError();
    return AS_EGPU_UNAVAILABLE;
  }
  if (prop.major < 9) {
    as__message(detail, len,
                "%s has compute capability %d.%d; this build has code for 9.0 "
                "(sm_90) and later only",
                prop.name, prop.major, prop.minor);
    return AS_EGPU_UNAVAILABLE;
  }
  /* Loads the module now (lazy loading would defer it to the first launch),
   * so a device the code cannot run on is found here. */
  for (const kernel_ops *ops : kernel_table)
    for (const void *k : ops->entries) {
      cudaFuncAttributes attr;
      if (k && (e = cudaFuncGetAttributes(&attr, k)) != cudaSuccess) {
        say(detail, len, "CUDA kernels not loadable on this device", e);
        (void)cudaGetLastError();
        return AS_EGPU_UNAVAILABLE;
      }
    }
  for (int s = 0; s < AS_STREAMS; s++)
    if ((e = cudaStreamCreateWithFlags(&g.stream[s], cudaStreamNonBlocking)) !=
        cudaSuccess) {
      say(detail, len, "cudaStreamCreate", e);
      return AS_EGPU_UNAVAILABLE;
    }
  if ((e = cudaEventCreateWithFlags(&g.shared_copied,
                                    cudaEventDisableTiming)) != cudaSuccess) {
    say(detail, len, "cudaEventCreate", e);
    return AS_EGPU_UNAVAILABLE;
  }
  int driver = 0;
  cudaDriverGetVersion(&driver);
  memset(&g.info, 0, sizeof g.info);
  snprintf(g.info.name, sizeof g.info.name, "%.63s", prop.name);
  snprintf(g.info.driver, sizeof g.info.driver, "%d.%d", driver / 1000,
           driver % 1000 / 10);
  g.info.devices = count;
  g.info.total_mem = prop.totalGlobalMem;
  g.info.is_simulated = 0;
  g.sm_count = prop.multiProcessorCount;
  g.ready = 1;
  if (info) *info = g.info;
  return 0;
}

int cuda_mem_info(size_t *free_bytes, size_t *total_bytes) {
  lock_guard lock;
  if (!g.ready) return AS_EGPU_UNAVAILABLE;
  if (g.dead) return AS_EGPU_DRIVER;
  size_t f = 0, t = 0;
  cudaError_t e = cudaSetDevice(0);
  if (e == cudaSuccess) e = cudaMemGetInfo(&f, &t);
  if (e != cudaSuccess) return fail(NULL, 0, "cudaMemGetInfo", e);
  /* The buffers kept from the last chunk are free for the next one. */
  f = f + g.dev_cap < t ? f + g.dev_cap : t;
  if (free_bytes) *free_bytes = f;
  if (total_bytes) *total_bytes = t;
  return 0;
}

int cuda_has_kernel(const as_kernel *k) { return ops_of(k) != NULL; }

/* Also after a driver error: the calls may fail then, but the pinned host
 * memory and whatever else can still be given back is. */
void cuda_shutdown(void) {
  lock_guard lock;
  if (!g.ready) return;
  for (int s = 0; s < AS_STREAMS; s++) cudaStreamSynchronize(g.stream[s]);
  release_buffers();
  for (int s = 0; s < AS_STREAMS; s++) cudaStreamDestroy(g.stream[s]);
  cudaEventDestroy(g.shared_copied);
  (void)cudaGetLastError();
  memset(&g, 0, sizeof g);
}

/* ---- run_chunk ---- */

struct layout {
  const kernel_ops *ops;
  const as_batch *b;
  int parts;
  part p[AS_STREAMS];
  size_t shared_at, shared_bytes;
  size_t pinned_bytes, device_bytes;
};

uint64_t offset_of(const as_batch *b, size_t i) {
  return b->offsets ? b->offsets[i] : 0;
}

/* Splits [begin, end) in two with about half the input bytes (for filter,
 * whose tasks are all one size, half the tasks). */
size_t split_point(const as_batch *b, size_t begin, size_t end) {
  if (end - begin < 2) return end;
  size_t mid = begin + (end - begin) / 2;
  if (b->offsets) {
    uint64_t half =
        offset_of(b, begin) + (offset_of(b, end) - offset_of(b, begin)) / 2;
    mid =
        (size_t)(std::lower_bound(b->offsets + begin, b->offsets + end, half) -
                 b->offsets);
    if (mid <= begin) mid = begin + 1;
    if (mid >= end) mid = end - 1;
  }
  return mid;
}

void plan(layout *L, const kernel_ops *ops, const as_batch *b, size_t begin,
          size_t end, int *huge) {
  memset(L, 0, sizeof *L);
  L->ops = ops;
  L->b = b;
  size_t mid = split_point(b, begin, end);
  L->parts = mid < end ? 2 : 1;
  size_t bounds[3] = {begin, mid, end};
  size_t at = 0;
  if (ops->shared_bytes) L->shared_bytes = ops->shared_bytes(b);
  if (L->shared_bytes) L->shared_at = place(&at, L->shared_bytes, huge);
  for (int s = 0; s < L->parts; s++) {
    part &p = L->p[s];
    p.begin = bounds[s];
    p.end = bounds[s + 1];
    p.tasks = (uint32_t)(p.end - p.begin);
    p.in_at = at;
    p.data_from = offset_of(b, p.begin);
    p.data_bytes = offset_of(b, p.end) - p.data_from;
    if (ops->offsets)
      p.offs_at = place(&at, ((uint64_t)p.tasks + 1) * sizeof(uint64_t), huge);
    if (ops->place_arrays) ops->place_arrays(b, p, &at, huge);
    p.data_at = place(&at, p.data_bytes, huge);
    p.in_bytes = at - p.in_at;
  }
  for (int s = 0; s < L->parts; s++) {
    part &p = L->p[s];
    p.out_bytes = (size_t)p.tasks * b->kernel->out_size;
    p.out_at = place(&at, p.out_bytes, huge);
  }
  L->pinned_bytes = at;
  for (int s = 0; s < L->parts; s++)
    L->p[s].work_at = place(&at, L->p[s].work_words * sizeof(uint64_t), huge);
  L->device_bytes = at;
}

/* Grows the kept buffers to the layout's needs. On failure both are freed
 * (so a retry with a smaller chunk starts from nothing) and the error state
 * is cleared: the device stays usable. */
int reserve(const layout &L, char *detail, size_t len) {
  cudaError_t e;
  char what[96];
  if (g.dev_cap < L.device_bytes) {
    if (g.dev) cudaFree(g.dev);
    g.dev = NULL;
    g.dev_cap = 0;
    g.shared_kept = 0;
    if ((e = cudaMalloc((void **)&g.dev, L.device_bytes)) != cudaSuccess) {
      g.dev = NULL;
      size_t f = 0, t = 0;
      (void)cudaGetLastError();
      cudaMemGetInfo(&f, &t);
      snprintf(what, sizeof what, "cudaMalloc(%zu MiB; %zu of %zu MiB free)",
               L.device_bytes >> 20, f >> 20, t >> 20);
      release_buffers();
      return fail(detail, len, what, e);
    }
    g.dev_cap = L.device_bytes;
  }
  if (g.pinned_cap < L.pinned_bytes) {
    if (g.pinned) cudaFreeHost(g.pinned);
    g.pinned = NULL;
    g.pinned_cap = 0;
    g.shared_kept = 0;
    if ((e = cudaHostAlloc((void **)&g.pinned, L.pinned_bytes,
                           cudaHostAllocDefault)) != cudaSuccess) {
      g.pinned = NULL;
      snprintf(what, sizeof what, "cudaHostAlloc(%zu MiB pinned staging)",
               L.pinned_bytes >> 20);
      release_buffers();
      return fail(detail, len, what, e);
    }
    g.pinned_cap = L.pinned_bytes;
  }
  return 0;
}

/* Writes part p's inputs into the pinned buffer: its offsets rebased to its
 * first task, its bytes, then the kernel's own arrays. */
void stage_inputs(const layout &L, part &p) {
  const as_batch *b = L.b;
  unsigned char *h = g.pinned;
  if (L.ops->offsets) {
    uint64_t *offs = (uint64_t *)(h + p.offs_at);
    for (uint32_t i = 0; i <= p.tasks; i++)
      offs[i] = offset_of(b, p.begin + i) - p.data_from;
  }
  if (p.data_bytes)
    memcpy(h + p.data_at, (const unsigned char *)b->data + p.data_from,
           p.data_bytes);
  if (L.ops->stage) L.ops->stage(b, p, h);
}

/* Stages, copies, launches and copies back every part; returns the first
 * failing call's error and its name in *what. */
cudaError_t enqueue(layout &L, const char **what) {
  cudaError_t e;
  unsigned char *h = g.pinned, *d = g.dev;
  /* Kept only if this chunk's staging leaves it alone, and valid again
   * once the chunk has completed. */
  int kept = L.shared_bytes && g.shared_kept == L.shared_bytes &&
             !memcmp(h + L.shared_at, L.b->shared, L.shared_bytes);
  g.shared_kept = 0;
  if (L.shared_bytes && !kept) {
    memcpy(h + L.shared_at, L.b->shared, L.shared_bytes);
    *what = "cudaMemcpyAsync (shared block)";
    if ((e = cudaMemcpyAsync(d + L.shared_at, h + L.shared_at, L.shared_bytes,
                             cudaMemcpyHostToDevice, g.stream[0])) !=
        cudaSuccess)
      return e;
    *what = "cudaEventRecord";
    if ((e = cudaEventRecord(g.shared_copied, g.stream[0])) != cudaSuccess)
      return e;
    for (int s = 1; s < L.parts; s++)
      if ((e = cudaStreamWaitEvent(g.stream[s], g.shared_copied, 0)) !=
          cudaSuccess)
        return e;
  }
  for (int s = 0; s < L.parts; s++) {
    part &p = L.p[s];
    cudaStream_t st = g.stream[s];
    if (p.in_bytes) {
      stage_inputs(L, p);
      *what = "cudaMemcpyAsync (inputs)";
      if ((e = cudaMemcpyAsync(d + p.in_at, h + p.in_at, p.in_bytes,
                               cudaMemcpyHostToDevice, st)) != cudaSuccess)
        return e;
    }
    L.ops->launch(p, d, L.shared_at, st);
    *what = "kernel launch";
    if ((e = cudaGetLastError()) != cudaSuccess) return e;
    *what = "cudaMemcpyAsync (outputs)";
    if ((e = cudaMemcpyAsync(h + p.out_at, d + p.out_at, p.out_bytes,
                             cudaMemcpyDeviceToHost, st)) != cudaSuccess)
      return e;
  }
  return cudaSuccess;
}

int cuda_run_chunk(const as_batch *b, size_t begin, size_t end, char *detail,
                   size_t len) {
  lock_guard lock;
  as__message(detail, len, "%s", "");
  if (!g.ready) {
    as__message(detail, len, "CUDA backend not initialised");
    return AS_EGPU_UNAVAILABLE;
  }
  if (g.dead) {
    as__message(detail, len, "device unusable since: %s", g.dead_detail);
    return AS_EGPU_DRIVER;
  }
  if (!b || !b->kernel || begin > end || end > b->n) return AS_EINVAL;
  const kernel_ops *ops = ops_of(b->kernel);
  if (!ops) return AS_ENOSYS;
  int rc = ops->check(b, begin, end);
  if (rc < 0) return rc;
  if (begin == end) return 0;
  if (end - begin > (size_t)INT32_MAX) {
    as__message(detail, len, "%zu tasks are more than one launch takes",
                end - begin);
    return AS_EGPU_OOM;
  }
  layout L;
  int huge = 0;
  plan(&L, ops, b, begin, end, &huge);
  if (huge) {
    as__message(detail, len, "chunk needs more memory than any device has");
    return AS_EGPU_OOM;
  }
  cudaError_t e = cudaSetDevice(0);
  if (e != cudaSuccess) return fail(detail, len, "cudaSetDevice", e);
  if ((rc = reserve(L, detail, len)) < 0) return rc;

  const char *what = "";
  e = enqueue(L, &what);
  for (int s = 0; s < AS_STREAMS; s++) {
    cudaError_t es = cudaStreamSynchronize(g.stream[s]);
    if (e == cudaSuccess && es != cudaSuccess) {
      e = es;
      what = "kernel execution";
    }
  }
  if (e != cudaSuccess) return fail(detail, len, what, e);
  g.shared_kept = L.shared_bytes;
  for (int s = 0; s < L.parts; s++)
    memcpy((unsigned char *)b->out + L.p[s].begin * b->kernel->out_size,
           g.pinned + L.p[s].out_at, L.p[s].out_bytes);
  return 0;
}

const as_gpu_backend cuda_backend = {
    AS_GPU_BACKEND_ABI, "cuda",         cuda_init,     cuda_mem_info,
    cuda_has_kernel,    cuda_run_chunk, cuda_shutdown,
};

} // namespace

extern "C" __attribute__((visibility("default"))) const as_gpu_backend *
as_gpu_backend_cuda(void) {
  return &cuda_backend;
}
