/* accelstrat-gpu-check's out of memory: most device memory taken through
 * the driver API (libcuda.so.1, loaded here), behind the backend's back, so
 * that a chunk of ordinary size finds too little free. */
#ifndef ACCELSTRAT_TEST_GPU_CHECK_HOG_H
#define ACCELSTRAT_TEST_GPU_CHECK_HOG_H

#include <stddef.h>

/* Leaves about `leave` bytes of device 0's memory free: 0, or -1 with the
 * reason in why. */
int gc_hog_memory(size_t leave, char *why, size_t len);
/* Gives it all back. */
void gc_hog_release(void);

#endif
