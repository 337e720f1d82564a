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
 * byte the one kept there (compared with the pinned copy) skips the copy. Any other CUDA error marks the device unusable (AS_EGPU_DRIVER):
 * the sticky ones leave the context broken, and the rest mean a bug. */
#include <cuda_runtime.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <algorithm>

#include <accelstrat/error.h>
#include <accelstrat/kernels.h>

#include "align.h"
#include "backend.h"
#include "filter.h"
#include "kernels.cuh"

#define AS_STREAMS 2
#define AS_BUF_ALIGN 256u

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

/* Writes the reason for a failure into the caller's detail buffer, if any. */
__attribute__((format(printf, 3, 4))) void tell(char *detail, size_t len,
                                                const char *fmt, ...) {
  if (!detail || !len) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, len, fmt, ap);
  va_end(ap);
}

void say(char *detail, size_t len, const char *what, cudaError_t e) {
  tell(detail, len, "%s: %s (%s)", what, cudaGetErrorName(e),
       cudaGetErrorString(e));
}

int classify(cudaError_t e) {
  switch (e) {
    case cudaErrorMemoryAllocation:
      return AS_EGPU_OOM;
    case cudaErrorNoDevice:
    case cudaErrorInsufficientDriver:
    case cudaErrorStubLibrary:
    case cudaErrorCallRequiresNewerDriver:
    case cudaErrorDevicesUnavailable:
    case cudaErrorSystemNotReady:
    case cudaErrorSystemDriverMismatch:
    case cudaErrorCompatNotSupportedOnDevice:
    case cudaErrorNoKernelImageForDevice:
      return AS_EGPU_UNAVAILABLE;
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

size_t align_up(size_t x) { return (x + AS_BUF_ALIGN - 1) / AS_BUF_ALIGN * AS_BUF_ALIGN; }

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
    const char *why = e == cudaErrorInsufficientDriver || e == cudaErrorStubLibrary
                          ? "no CUDA driver"
                      : e == cudaErrorNoDevice || e == cudaSuccess
                          ? "no CUDA device"
                          : "CUDA unavailable";
    if (e == cudaSuccess)
      tell(detail, len, "%s", why);
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
    tell(detail, len,
             "%s has compute capability %d.%d; this build has code for 9.0 "
             "(sm_90) and later only",
             prop.name, prop.major, prop.minor);
    return AS_EGPU_UNAVAILABLE;
  }
  /* Loads the module now (lazy loading would defer it to the first launch),
   * so a device the code cannot run on is found here. */
  const void *kernels[] = {(const void *)as_filter_kernel,
                           (const void *)as_align_thread_kernel,
                           (const void *)as_align_warp_kernel};
  for (const void *k : kernels) {
    cudaFuncAttributes attr;
    if ((e = cudaFuncGetAttributes(&attr, k)) != cudaSuccess) {
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

enum which { AS_K_NONE, AS_K_FILTER, AS_K_ALIGN };

which kernel_of(const as_kernel *k) {
  if (!k || !k->name || k->version != 1) return AS_K_NONE;
  if (!strcmp(k->name, "filter") && k->out_size == sizeof(as_filter_out))
    return AS_K_FILTER;
  if (!strcmp(k->name, "align") && k->out_size == sizeof(as_align_out))
    return AS_K_ALIGN;
  return AS_K_NONE;
}

int cuda_has_kernel(const as_kernel *k) { return kernel_of(k) != AS_K_NONE; }

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

/* One half of a chunk: tasks [begin, end), and where its pieces live. Input
 * pieces and outputs sit at the same offsets in the pinned and the device
 * buffer; workspaces only on the device, after everything else. */
struct part {
  size_t begin, end;
  uint32_t tasks;
  uint64_t data_from, data_bytes; /* host range [offsets[begin], offsets[end]) */
  size_t in_at, in_bytes;         /* one copy: offsets, work_off, list, data */
  size_t offs_at, work_off_at, list_at, data_at; /* filter: data only */
  size_t out_at, out_bytes;
  size_t work_at;
  uint64_t work_words;
  uint32_t long_pairs; /* align: warp pairs, first in the list */
};

struct layout {
  which kind;
  const as_batch *b;
  int parts;
  part p[AS_STREAMS];
  size_t shared_at, shared_bytes;
  size_t pinned_bytes, device_bytes;
};

/* Reserves bytes at *at (each piece starts aligned) and returns where they
 * start; a size no device could hold sets *huge instead (no overflow). */
size_t place(size_t *at, uint64_t bytes, int *huge) {
  size_t start = *at;
  if (bytes > ((size_t)1 << 50) || *at > ((size_t)1 << 50)) *huge = 1;
  else *at = align_up(*at + (size_t)bytes);
  return start;
}

uint64_t offset_of(const as_batch *b, size_t i) {
  return b->offsets ? b->offsets[i] : 0;
}

/* Splits [begin, end) in two with about half the input bytes (for filter,
 * whose tasks are all one size, half the tasks). */
size_t split_point(const as_batch *b, size_t begin, size_t end) {
  if (end - begin < 2) return end;
  size_t mid = begin + (end - begin) / 2;
  if (b->offsets) {
    uint64_t half = offset_of(b, begin) + (offset_of(b, end) - offset_of(b, begin)) / 2;
    mid = (size_t)(std::lower_bound(b->offsets + begin, b->offsets + end, half) -
                   b->offsets);
    if (mid <= begin) mid = begin + 1;
    if (mid >= end) mid = end - 1;
  }
  return mid;
}

void plan(layout *L, which kind, const as_batch *b, size_t begin, size_t end,
          int *huge) {
  memset(L, 0, sizeof *L);
  L->kind = kind;
  L->b = b;
  size_t mid = split_point(b, begin, end);
  L->parts = mid < end ? 2 : 1;
  size_t bounds[3] = {begin, mid, end};
  size_t at = 0;
  if (kind == AS_K_FILTER) {
    const as_filter_shared *hdr = (const as_filter_shared *)b->shared;
    L->shared_bytes = sizeof *hdr + as_filter_words(hdr) * sizeof(uint32_t);
  }
  if (L->shared_bytes) L->shared_at = place(&at, L->shared_bytes, huge);
  for (int s = 0; s < L->parts; s++) {
    part &p = L->p[s];
    p.begin = bounds[s];
    p.end = bounds[s + 1];
    p.tasks = (uint32_t)(p.end - p.begin);
    p.in_at = at;
    p.data_from = offset_of(b, p.begin);
    p.data_bytes = offset_of(b, p.end) - p.data_from;
    /* A filter chunk's tasks are back to back (each exactly one
     * as_filter_task, checked), so its kernel needs no offsets. */
    if (kind != AS_K_FILTER)
      p.offs_at = place(&at, ((uint64_t)p.tasks + 1) * sizeof(uint64_t), huge);
    if (kind == AS_K_ALIGN) {
      p.work_off_at = place(&at, (uint64_t)p.tasks * sizeof(uint64_t), huge);
      p.list_at = place(&at, (uint64_t)p.tasks * sizeof(uint32_t), huge);
      for (size_t i = p.begin; i < p.end; i++) {
        const as_align_task *t = as__align_task(b, i);
        p.work_words += as_align_task_words(t->len_a, t->len_b);
      }
      if (p.work_words > ((uint64_t)1 << 47)) *huge = 1;
    }
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
 * first task, its bytes, and for align each task's workspace and the order
 * the pairs run in (warp pairs first, then the rest, each longest first, so
 * the long ones start early and a warp's threads get similar work). */
void stage_inputs(const layout &L, part &p) {
  const as_batch *b = L.b;
  unsigned char *h = g.pinned;
  if (L.kind != AS_K_FILTER) {
    uint64_t *offs = (uint64_t *)(h + p.offs_at);
    for (uint32_t i = 0; i <= p.tasks; i++)
      offs[i] = offset_of(b, p.begin + i) - p.data_from;
  }
  if (p.data_bytes)
    memcpy(h + p.data_at, (const unsigned char *)b->data + p.data_from,
           p.data_bytes);
  if (L.kind != AS_K_ALIGN) return;
  uint64_t *work_off = (uint64_t *)(h + p.work_off_at);
  uint32_t *list = (uint32_t *)(h + p.list_at);
  uint64_t words = 0;
  p.long_pairs = 0;
  for (uint32_t i = 0; i < p.tasks; i++) {
    const as_align_task *t = as__align_task(b, p.begin + i);
    work_off[i] = words;
    words += as_align_task_words(t->len_a, t->len_b);
    list[i] = i;
    p.long_pairs += (uint32_t)as_align_uses_warp(t->len_a, t->len_b);
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

unsigned blocks_for(uint64_t items, unsigned per_block) {
  return (unsigned)((items + per_block - 1) / per_block);
}

void launch(const layout &L, const part &p, cudaStream_t st) {
  unsigned char *d = g.dev;
  switch (L.kind) {
    case AS_K_FILTER: {
      as_filter_args a = {(const as_filter_shared *)(d + L.shared_at),
                          (const as_filter_task *)(d + p.data_at), p.tasks,
                          (as_filter_out *)(d + p.out_at)};
      as_filter_kernel<<<blocks_for(p.tasks, AS_FILTER_THREADS),
                         AS_FILTER_THREADS, 0, st>>>(a);
      break;
    }
    case AS_K_ALIGN: {
      as_align_args a = {d + p.data_at,
                         (const uint64_t *)(d + p.offs_at),
                         (const uint64_t *)(d + p.work_off_at),
                         (const uint32_t *)(d + p.list_at),
                         p.long_pairs,
                         (uint64_t *)(d + p.work_at),
                         (as_align_out *)(d + p.out_at)};
      if (a.count)
        as_align_warp_kernel<<<blocks_for((uint64_t)a.count * AS_WARP,
                                          AS_ALIGN_THREADS),
                               AS_ALIGN_THREADS, 0, st>>>(a);
      a.list += p.long_pairs;
      a.count = p.tasks - p.long_pairs;
      if (a.count)
        as_align_thread_kernel<<<blocks_for(a.count, AS_ALIGN_THREADS),
                                 AS_ALIGN_THREADS, 0, st>>>(a);
      break;
    }
    case AS_K_NONE:
      break;
  }
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
                             cudaMemcpyHostToDevice, g.stream[0])) != cudaSuccess)
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
    launch(L, p, st);
    *what = "kernel launch";
    if ((e = cudaGetLastError()) != cudaSuccess) return e;
    *what = "cudaMemcpyAsync (outputs)";
    if ((e = cudaMemcpyAsync(h + p.out_at, d + p.out_at, p.out_bytes,
                             cudaMemcpyDeviceToHost, st)) != cudaSuccess)
      return e;
  }
  return cudaSuccess;
}

int check_inputs(which kind, const as_batch *b, size_t begin, size_t end) {
  switch (kind) {
    case AS_K_FILTER: {
      as_filter_view v;
      return as__check_filter(b, begin, end, &v);
    }
    case AS_K_ALIGN:
      return as__check_align(b, begin, end);
    case AS_K_NONE:
      break;
  }
  return AS_ENOSYS;
}

int cuda_run_chunk(const as_batch *b, size_t begin, size_t end, char *detail,
                   size_t len) {
  lock_guard lock;
  tell(detail, len, "%s", "");
  if (!g.ready) {
    tell(detail, len, "CUDA backend not initialised");
    return AS_EGPU_UNAVAILABLE;
  }
  if (g.dead) {
    tell(detail, len, "device unusable since: %s", g.dead_detail);
    return AS_EGPU_DRIVER;
  }
  if (!b || !b->kernel || begin > end || end > b->n) return AS_EINVAL;
  which kind = kernel_of(b->kernel);
  int rc = check_inputs(kind, b, begin, end);
  if (rc < 0) return rc;
  if (begin == end) return 0;
  if (end - begin > (size_t)INT32_MAX) {
    tell(detail, len, "%zu tasks are more than one launch takes",
             end - begin);
    return AS_EGPU_OOM;
  }
  layout L;
  int huge = 0;
  plan(&L, kind, b, begin, end, &huge);
  if (huge) {
    tell(detail, len, "chunk needs more memory than any device has");
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
    AS_GPU_BACKEND_ABI, "cuda",          cuda_init,     cuda_mem_info,
    cuda_has_kernel,    cuda_run_chunk,  cuda_shutdown,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const as_gpu_backend *
as_gpu_backend_cuda(void) {
  return &cuda_backend;
}
