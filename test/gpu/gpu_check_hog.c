/* accelstrat-gpu-check's out-of-memory setup (gpu_check_hog.h). */
#define _GNU_SOURCE
#include "gpu_check_hog.h"

#include <dlfcn.h>
#include <stdio.h>

typedef int (*cu_init_fn)(unsigned);
typedef int (*cu_device_get_fn)(int *, int);
typedef int (*cu_ctx_retain_fn)(void **, int);
typedef int (*cu_ctx_release_fn)(int);
typedef int (*cu_ctx_set_fn)(void *);
typedef int (*cu_mem_get_info_fn)(size_t *, size_t *);
typedef int (*cu_mem_alloc_fn)(unsigned long long *, size_t);
typedef int (*cu_mem_free_fn)(unsigned long long);

static struct {
  void *lib;
  cu_ctx_release_fn release;
  cu_mem_free_fn mem_free;
  unsigned long long block[4096];
  int blocks;
} hog;

int gc_hog_memory(size_t leave, char *why, size_t len) {
  hog.lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!hog.lib) {
    snprintf(why, len, "libcuda.so.1: %s", dlerror());
    return -1;
  }
  cu_init_fn init = (cu_init_fn)dlsym(hog.lib, "cuInit");
  cu_device_get_fn device_get = (cu_device_get_fn)dlsym(hog.lib, "cuDeviceGet");
  cu_ctx_retain_fn retain =
      (cu_ctx_retain_fn)dlsym(hog.lib, "cuDevicePrimaryCtxRetain");
  hog.release =
      (cu_ctx_release_fn)dlsym(hog.lib, "cuDevicePrimaryCtxRelease_v2");
  cu_ctx_set_fn set = (cu_ctx_set_fn)dlsym(hog.lib, "cuCtxSetCurrent");
  cu_mem_get_info_fn get_info =
      (cu_mem_get_info_fn)dlsym(hog.lib, "cuMemGetInfo_v2");
  cu_mem_alloc_fn alloc = (cu_mem_alloc_fn)dlsym(hog.lib, "cuMemAlloc_v2");
  hog.mem_free = (cu_mem_free_fn)dlsym(hog.lib, "cuMemFree_v2");
  if (!init || !device_get || !retain || !hog.release || !set || !get_info ||
      !alloc || !hog.mem_free) {
    snprintf(why, len, "libcuda.so.1 lacks a driver API entry point");
    return -1;
  }
  int dev;
  void *ctx;
  if (init(0) || device_get(&dev, 0) || retain(&ctx, dev) || set(ctx)) {
    snprintf(why, len, "driver API context for device 0 failed");
    return -1;
  }
  size_t free_b, total_b;
  for (size_t piece = (size_t)1 << 30; piece >= ((size_t)16 << 20);
       piece /= 2) {
    while (hog.blocks < 4096 && !get_info(&free_b, &total_b) &&
           free_b > leave + piece && !alloc(&hog.block[hog.blocks], piece))
      hog.blocks++;
  }
  get_info(&free_b, &total_b);
  if (free_b > leave * 2) {
    snprintf(why, len, "could only bring free memory down to %zu MiB",
             free_b >> 20);
    return -1;
  }
  return 0;
}

void gc_hog_release(void) {
  for (int i = 0; i < hog.blocks; i++) hog.mem_free(hog.block[i]);
  hog.blocks = 0;
  if (hog.release) hog.release(0);
  hog.release = NULL;
}
