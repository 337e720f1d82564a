/* Controls of fake_cudart.cpp, a host-only stand-in for the part of the CUDA
 * runtime that backend.cu uses: linked instead of cudart, it runs the real
 * backend (staging, streams, launches, error handling) on a machine without
 * a GPU, the kernels executing under the SIMT emulation; with the variable
 * FAKE_CUDART_FAST set, the kernels' outputs come from the shared per-task
 * functions instead (quick, for running accelstrat-gpu-check on the fake). */
#ifndef ACCELSTRAT_GPU_CUDA_FAKE_CUDART_H
#define ACCELSTRAT_GPU_CUDA_FAKE_CUDART_H

#include <stddef.h>

#include <cuda_runtime_api.h>

/* Whether cudaGetDeviceCount finds a driver (else cudaErrorInsufficientDriver).
 */
void fake_cuda_set_driver(int present);
/* Device memory the fake device has. */
void fake_cuda_set_memory(size_t bytes);
/* Device memory allocated now. */
size_t fake_cuda_in_use(void);
/* The next stream synchronisation fails with e, and every call after it too
 * when e is sticky (as cudaErrorIllegalAddress is). */
void fake_cuda_fail_next_sync(cudaError_t e);
/* Kernel launches so far. */
unsigned long fake_cuda_launches(void);
/* Bytes copied from the host to the device so far. */
size_t fake_cuda_to_device(void);

#endif
