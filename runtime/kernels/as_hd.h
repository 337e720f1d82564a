/* AS_HD marks functions compiled for both the host and an NVIDIA device, so
 * the CPU path and the .cu files share one definition of each kernel's math. */
#ifndef ACCELSTRAT_KERNELS_AS_HD_H
#define ACCELSTRAT_KERNELS_AS_HD_H

#ifdef __CUDACC__
#define AS_HD __host__ __device__ __forceinline__
#else
#define AS_HD static inline
#endif

#endif
