/* The process-wide GPU: which backend (ACCELSTRAT_GPU=cuda|sim|off), probed
 * once and cached, marked dead after a driver error; and the faults that
 * ACCELSTRAT_INJECT plants at the backend boundary. */
#ifndef ACCELSTRAT_RUNTIME_GPU_GPU_H
#define ACCELSTRAT_RUNTIME_GPU_GPU_H

#include <stddef.h>
#include <stdint.h>

#include <accelstrat/config.h>
#include <accelstrat/inject.h>

#include <accelstrat/backend.h>

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

/* What a strategy decision asks of the GPU layer before it wakes the GPU,
 * copied under the lock (as__gpu_view) and true while as__gpu_generation
 * has not moved: a decision right after a long batch then reads the
 * executor's copy instead of taking the lock twice over lines out of every
 * cache. */
typedef struct as_gpu_view {
  uint64_t generation; /* as__gpu_generation's when copied */
  int state;           /* as__gpu_peek's */
  int slot, slots;     /* as__gpu_peek's */
  char key[96];        /* state 1: the device's model key */
  char why[256];       /* state -1: why it is unusable */
  char choice[48];     /* as__gpu_choice's */
} as_gpu_view;

/* Moves whenever a probe, a dead mark or a reset changes what as__gpu_peek,
 * as__gpu_choice or the reason of as__gpu_get would say, and whenever a
 * probe makes a report (as__gpu_take_report). Lock-free. */
uint64_t as__gpu_generation(void);

/* v brought up to date: copied again when its generation is not the
 * current one. */
void as__gpu_view_update(as_gpu_view *v);

/* A device's key, under which the cost model keeps its rates:
 * "BACKEND/NAME/DRIVER", characters outside [A-Za-z0-9._-] turned into '_'.
 * as__gpu_peek gives the probed device's. */
void as__gpu_key(const char *backend, const char *name, const char *driver,
                 char *buf, size_t len);

/* What a probe found, for the keeper of device facts (the cost model) to
 * record: the backend's device, its key, the time its init took and its
 * memory; or, with key "", that the backend has no device (not loadable,
 * or its init failed). A probe that finds every slot busy, or a backend
 * ACCELSTRAT_GPU does not name, reports nothing. */
typedef struct as_gpu_report {
  char backend[16];
  char key[96];
  double start_ns, mem;
} as_gpu_report;

/* Takes the oldest report not taken yet: 1, or 0 when there is none.
 * Thread-safe. */
int as__gpu_take_report(as_gpu_report *r);

/* ACCELSTRAT_GPU, or "cuda". */
const char *as__gpu_choice(void);

/* After a driver error the GPU is not used again by this process. */
void as__gpu_mark_dead(const char *why);

/* Runs a chunk through the backend, or fails it with the fault planted at
 * this chunk (inject at inject_chunk). */
int as__gpu_run_chunk(const as_gpu_backend *be, as_fault inject,
                      long inject_chunk, int64_t chunk, const as_batch *b,
                      size_t begin, size_t end, char *detail, size_t len);

/* Forgets the cached probe and the dead mark, so tests can change
 * ACCELSTRAT_GPU and ACCELSTRAT_SIM within one process. */
void as__gpu_reset(void);

/* The sim backend (sim.c). */
const as_gpu_backend *as__gpu_sim_backend(void);
/* Whether ACCELSTRAT_SIM's text is valid: 0, or AS_EINVAL with detail
 * naming the item and what is wrong. */
int as__sim_settings_check(const char *text, char *detail, size_t len);

#endif
