/* The process-wide GPU: which backend (ACCELSTRAT_GPU=cuda|sim|off), probed
 * once and cached, marked dead after a driver error; and the faults that
 * ACCELSTRAT_INJECT plants at the backend boundary. */
#ifndef ACCELSTRAT_RUNTIME_GPU_GPU_H
#define ACCELSTRAT_RUNTIME_GPU_GPU_H

#include <stddef.h>
#include <stdint.h>

#include <accelstrat/config.h>

#include "backend.h"

/* The backend, probing it on first use (after taking a GPU slot). NULL
 * when there is none; then why says so ("ACCELSTRAT_GPU=off", "no CUDA
 * device", ...) and status is AS_EGPU_UNAVAILABLE, or AS_EGPU_BUSY when all
 * slots are held by other processes (asked again next time). Thread-safe. */
const as_gpu_backend *as__gpu_get(as_gpu_info *info, const char **why,
                                  int *status);

/* Without probing: 1 when the GPU is up (key gets its model key), 0 when
 * not probed yet, -1 when known unusable; and the slot held (-1: none) of
 * how many. */
int as__gpu_peek(char *key, size_t len, int *slot_index, int *slots);

/* ACCELSTRAT_GPU, or "cuda". */
const char *as__gpu_choice(void);

/* After a driver error the GPU is not used again by this process. */
void as__gpu_mark_dead(const char *why);

/* Runs a chunk through the backend, or fails it with the fault that cfg
 * plants at this chunk. */
int as__gpu_run_chunk(const as_gpu_backend *be, const as_config *cfg,
                      int64_t chunk, const as_batch *b, size_t begin,
                      size_t end, char *detail, size_t len);

/* Forgets the cached probe and the dead mark, so tests can change
 * ACCELSTRAT_GPU and ACCELSTRAT_SIM within one process. */
void as__gpu_reset(void);

/* The sim backend (sim.c). */
const as_gpu_backend *as__gpu_sim_backend(void);

#endif
