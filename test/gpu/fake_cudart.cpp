/* A host-only stand-in for the CUDA runtime calls backend.cu makes (see
 * fake_cudart.h). Streams are real queues, run only at a synchronisation,
 * and then every stream, the last created first (a GPU may run them in any
 * order), except where an event orders them: a backend that reads results
 * before synchronising, or forgets an event, gets wrong bytes here as it
 * would on a GPU. "Device memory" is host memory with
 * a capacity; kernels run under the SIMT emulation of simt.cuh. */
#define AS_SIMT_EMULATE 1

#include "fake_cudart.h"

#include <stdlib.h>
#include <string.h>

#include <functional>
#include <map>
#include <vector>

#include <cuda_runtime_api.h>

#include "kernels.cuh"

/* The host stubs nvcc generates for backend.cu's kernels: their addresses
 * are what a launch names. */
void as_filter_kernel(as_filter_args);
void as_align_thread_kernel(as_align_args);
void as_align_warp_kernel(as_align_args);

namespace {

struct fake_stream {
  std::vector<std::function<void()>> ops;
  size_t done = 0;
  void run(size_t upto) {
    while (done < upto && done < ops.size()) ops[done++]();
  }
};

struct fake_event {
  fake_stream *stream = nullptr;
  size_t upto = 0;
};

struct launch_config {
  dim3 grid, block;
  size_t shared;
  cudaStream_t stream;
};

std::vector<fake_stream *> streams; /* in creation order */
int driver = 1;
size_t capacity = (size_t)1 << 30, in_use;
std::map<void *, size_t> device_allocs;
cudaError_t sticky = cudaSuccess, fail_next_sync = cudaSuccess;
thread_local cudaError_t last_error = cudaSuccess;
thread_local std::vector<launch_config> configs;
unsigned long launches;
size_t to_device; /* bytes copied host to device */

cudaError_t record(cudaError_t e) {
  if (e != cudaSuccess) last_error = e;
  return e;
}

/* What every call checks first. */
cudaError_t state(void) {
  if (!driver) return record(cudaErrorInsufficientDriver);
  if (sticky != cudaSuccess) return record(sticky);
  return cudaSuccess;
}

fake_stream *stream_of(cudaStream_t s) { return (fake_stream *)s; }

int is_sticky(cudaError_t e) {
  return e == cudaErrorIllegalAddress || e == cudaErrorLaunchFailure ||
         e == cudaErrorHardwareStackError || e == cudaErrorIllegalInstruction ||
         e == cudaErrorMisalignedAddress || e == cudaErrorECCUncorrectable;
}

/* With FAKE_CUDART_FAST set, kernels compute the same outputs with the
 * shared per-task functions in plain loops instead of the emulated threads:
 * fast enough to run accelstrat-gpu-check itself on the fake. */
std::function<void()> fast(const void *kernel, void **args) {
  if (kernel == (const void *)as_filter_kernel) {
    as_filter_args a = *(as_filter_args *)args[0];
    return [=] {
      for (uint32_t k = 0; k < a.count; k++) as_filter_thread(a, k);
    };
  }
  if (kernel == (const void *)as_align_thread_kernel ||
      kernel == (const void *)as_align_warp_kernel) {
    as_align_args a = *(as_align_args *)args[0];
    return [=] { /* as_lcs fits in either kernel's workspace */
                 for (uint32_t k = 0; k < a.count; k++) as_align_thread(a, k);
    };
  }
  return nullptr;
}

std::function<void()> emulation(const void *kernel, dim3 grid, dim3 block,
                                void **args) {
  if (getenv("FAKE_CUDART_FAST")) return fast(kernel, args);
  if (kernel == (const void *)as_filter_kernel) {
    as_filter_args a = *(as_filter_args *)args[0];
    return [=] {
      for (uint64_t k = 0; k < (uint64_t)grid.x * block.x; k++)
        if (k < a.count) as_filter_thread(a, (uint32_t)k);
    };
  }
  if (kernel == (const void *)as_align_thread_kernel) {
    as_align_args a = *(as_align_args *)args[0];
    return [=] {
      for (uint64_t k = 0; k < (uint64_t)grid.x * block.x; k++)
        if (k < a.count) as_align_thread(a, (uint32_t)k);
    };
  }
  if (kernel == (const void *)as_align_warp_kernel) {
    as_align_args a = *(as_align_args *)args[0];
    /* Each warp's shared slice starts as garbage. */
    return [=] {
      std::vector<uint64_t> sh(AS_ALIGN_SHARED_WORDS);
      for (uint64_t k = 0; k < (uint64_t)grid.x * block.x / AS_WARP; k++)
        if (k < a.count) {
          memset(sh.data(), 0xcd, sh.size() * sizeof sh[0]);
          as_simt::run_block(AS_WARP, [&](unsigned lane) {
            as_align_warp(a, (uint32_t)k, lane, sh.data());
          });
        }
    };
  }
  return nullptr;
}

} // namespace

void fake_cuda_set_driver(int present) { driver = present; }
void fake_cuda_set_memory(size_t bytes) { capacity = bytes; }
size_t fake_cuda_in_use(void) { return in_use; }
void fake_cuda_fail_next_sync(cudaError_t e) { fail_next_sync = e; }
unsigned long fake_cuda_launches(void) { return launches; }
size_t fake_cuda_to_device(void) { return to_device; }

extern "C" {

/* ---- what nvcc's generated code calls ---- */

void **__cudaRegisterFatBinary(void *) {
  static void *handle;
  return &handle;
}
void __cudaRegisterFatBinaryEnd(void **) {}
void __cudaUnregisterFatBinary(void **) {}
void __cudaRegisterFunction(void **, const char *, char *, const char *, int,
                            uint3 *, uint3 *, dim3 *, dim3 *, int *) {}

unsigned __cudaPushCallConfiguration(dim3 grid, dim3 block, size_t shared,
                                     struct CUstream_st *stream) {
  configs.push_back({grid, block, shared, stream});
  return 0;
}

cudaError_t __cudaPopCallConfiguration(dim3 *grid, dim3 *block, size_t *shared,
                                       void *stream) {
  launch_config c = configs.back();
  configs.pop_back();
  *grid = c.grid;
  *block = c.block;
  *shared = c.shared;
  *(cudaStream_t *)stream = c.stream;
  return cudaSuccess;
}

cudaError_t __cudaGetKernel(cudaKernel_t *kernel, const void *fun) {
  *kernel = (cudaKernel_t)fun;
  return cudaSuccess;
}

cudaError_t __cudaLaunchKernel(cudaKernel_t kernel, dim3 grid, dim3 block,
                               void **args, size_t shared,
                               cudaStream_t stream) {
  if (cudaError_t e = state()) return e;
  if (grid.x == 0 || grid.x > 0x7fffffffu || grid.y == 0 || grid.y > 65535 ||
      grid.z != 1 || block.x == 0 || block.x > 1024 || block.y != 1 ||
      block.z != 1 || shared != 0)
    return record(cudaErrorInvalidConfiguration);
  /* The warp kernel's static shared memory has a slice per warp of its
   * block shape only. */
  if ((const void *)kernel == (const void *)as_align_warp_kernel &&
      block.x != AS_ALIGN_WARP_THREADS)
    return record(cudaErrorInvalidConfiguration);
  std::function<void()> run =
      emulation((const void *)kernel, grid, block, args);
  if (!run) return record(cudaErrorInvalidDeviceFunction);
  launches++;
  stream_of(stream)->ops.push_back(run);
  return cudaSuccess;
}

/* ---- the runtime API ---- */

cudaError_t cudaGetLastError(void) {
  cudaError_t e = last_error;
  last_error = sticky;
  return e;
}

const char *cudaGetErrorName(cudaError_t e) {
  switch (e) {
  case cudaSuccess: return "cudaSuccess";
  case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
  case cudaErrorInsufficientDriver: return "cudaErrorInsufficientDriver";
  case cudaErrorIllegalAddress: return "cudaErrorIllegalAddress";
  case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
  case cudaErrorInvalidDeviceFunction: return "cudaErrorInvalidDeviceFunction";
  case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
  default: return "cudaErrorUnknown";
  }
}

const char *cudaGetErrorString(cudaError_t e) {
  return e == cudaSuccess ? "no error" : "fake error";
}

cudaError_t cudaGetDeviceCount(int *count) {
  if (!driver) return record(cudaErrorInsufficientDriver);
  *count = 1;
  return cudaSuccess;
}

cudaError_t cudaSetDevice(int device) {
  if (cudaError_t e = state()) return e;
  return device == 0 ? cudaSuccess : record(cudaErrorInvalidDevice);
}

cudaError_t cudaGetDeviceProperties(struct cudaDeviceProp *prop, int device) {
  if (cudaError_t e = state()) return e;
  if (device != 0) return record(cudaErrorInvalidDevice);
  memset(prop, 0, sizeof *prop);
  strcpy(prop->name, "fake H100 (host emulation)");
  prop->major = 9;
  prop->minor = 0;
  prop->totalGlobalMem = capacity;
  prop->multiProcessorCount = 2;
  return cudaSuccess;
}

cudaError_t cudaFuncGetAttributes(struct cudaFuncAttributes *attr,
                                  const void *func) {
  if (cudaError_t e = state()) return e;
  memset(attr, 0, sizeof *attr);
  return func == (const void *)as_filter_kernel ||
                 func == (const void *)as_align_thread_kernel ||
                 func == (const void *)as_align_warp_kernel
             ? cudaSuccess
             : record(cudaErrorInvalidDeviceFunction);
}

cudaError_t cudaDriverGetVersion(int *version) {
  *version = driver ? 13000 : 0;
  return cudaSuccess;
}

cudaError_t cudaStreamCreateWithFlags(cudaStream_t *s, unsigned int) {
  if (cudaError_t e = state()) return e;
  streams.push_back(new fake_stream);
  *s = (cudaStream_t)streams.back();
  return cudaSuccess;
}

cudaError_t cudaStreamDestroy(cudaStream_t s) {
  for (size_t i = 0; i < streams.size(); i++)
    if (streams[i] == stream_of(s)) streams.erase(streams.begin() + (long)i);
  delete stream_of(s);
  return cudaSuccess;
}

cudaError_t cudaEventCreateWithFlags(cudaEvent_t *ev, unsigned int) {
  if (cudaError_t e = state()) return e;
  *ev = (cudaEvent_t) new fake_event;
  return cudaSuccess;
}

cudaError_t cudaEventDestroy(cudaEvent_t ev) {
  delete (fake_event *)ev;
  return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t ev, cudaStream_t s) {
  if (cudaError_t e = state()) return e;
  fake_event *event = (fake_event *)ev;
  event->stream = stream_of(s);
  event->upto = stream_of(s)->ops.size();
  return cudaSuccess;
}

cudaError_t cudaStreamWaitEvent(cudaStream_t s, cudaEvent_t ev, unsigned int) {
  if (cudaError_t e = state()) return e;
  fake_event event = *(fake_event *)ev;
  if (event.stream)
    stream_of(s)->ops.push_back([event] { event.stream->run(event.upto); });
  return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t /* all of them run */) {
  if (cudaError_t e = state()) return e;
  if (fail_next_sync != cudaSuccess) {
    cudaError_t e = fail_next_sync;
    fail_next_sync = cudaSuccess;
    if (is_sticky(e)) sticky = e;
    for (fake_stream *st : streams) {
      st->ops.clear();
      st->done = 0;
    }
    return record(e);
  }
  for (size_t i = streams.size(); i-- > 0;)
    streams[i]->run(streams[i]->ops.size());
  for (fake_stream *st : streams) {
    st->ops.clear();
    st->done = 0;
  }
  return cudaSuccess;
}

cudaError_t cudaMalloc(void **p, size_t size) {
  if (cudaError_t e = state()) return e;
  if (size > capacity - in_use) return record(cudaErrorMemoryAllocation);
  *p = malloc(size ? size : 1);
  if (!*p) return record(cudaErrorMemoryAllocation);
  memset(*p, 0xcd, size); /* device memory starts as garbage */
  device_allocs[*p] = size;
  in_use += size;
  return cudaSuccess;
}

cudaError_t cudaFree(void *p) {
  if (!p) return cudaSuccess;
  auto it = device_allocs.find(p);
  if (it == device_allocs.end()) return record(cudaErrorInvalidValue);
  in_use -= it->second;
  device_allocs.erase(it);
  free(p);
  return sticky != cudaSuccess ? record(sticky) : cudaSuccess;
}

cudaError_t cudaHostAlloc(void **p, size_t size, unsigned int) {
  if (cudaError_t e = state()) return e;
  *p = malloc(size ? size : 1);
  return *p ? cudaSuccess : record(cudaErrorMemoryAllocation);
}

cudaError_t cudaFreeHost(void *p) {
  free(p);
  return cudaSuccess;
}

cudaError_t cudaMemGetInfo(size_t *free_bytes, size_t *total) {
  if (cudaError_t e = state()) return e;
  *free_bytes = capacity - in_use;
  *total = capacity;
  return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count,
                            enum cudaMemcpyKind kind, cudaStream_t s) {
  if (cudaError_t e = state()) return e;
  if (kind == cudaMemcpyHostToDevice) to_device += count;
  stream_of(s)->ops.push_back([=] { memcpy(dst, src, count); });
  return cudaSuccess;
}

cudaError_t cudaMemsetAsync(void *p, int value, size_t count, cudaStream_t s) {
  if (cudaError_t e = state()) return e;
  stream_of(s)->ops.push_back([=] { memset(p, value, count); });
  return cudaSuccess;
}

} // extern "C"
