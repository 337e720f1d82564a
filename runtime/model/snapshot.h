/* What a strategy decision reads of the cost model for one kernel, taken
 * under one lock and kept by the executor: the CPU's rates and where they
 * come from, the CPU team's start-up and, for auto while the GPU may be
 * usable, the GPU's side. A decision right after a long batch finds the
 * model's store out of every cache and TLB: its searches by name cost
 * dozens of misses, the executor's own copy a few lines. A snapshot stays
 * true while the store's generation has not moved; each run's learning
 * moves it, and the executor takes the next one after the run, while the
 * store is still in cache. */
#ifndef ACCELSTRAT_RUNTIME_MODEL_SNAPSHOT_H
#define ACCELSTRAT_RUNTIME_MODEL_SNAPSHOT_H

#include <stdint.h>

#include <accelstrat/kernel.h>

#include "predict.h"

/* The GPU's side: for backend (as__gpu_choice), the GPU up or not. */
typedef struct as_model_gpu_side {
  char backend[48];
  int up;
  char key[96];         /* the device's: the GPU layer's when up, else the
                           backend's last device seen here (or the backend) */
  char hybrid_key[104]; /* as__model_hybrid_key of key */
  as_rates rates;
  double start_ns; /* its start-up, 0 when up */
  double mem;
  double hybrid_scale; /* dynamic hybrid's own learned error */
} as_model_gpu_side;

typedef struct as_model_snapshot {
  const as_kernel *kernel; /* NULL: none taken */
  const char *name;        /* the kernel's name and version when taken */
  unsigned version;
  uint64_t generation;     /* the store's when taken */
  uint64_t gpu_generation; /* the GPU layer's (gpu.h), read before the lock */
  int kernel_gpu;          /* the registry gives the kernel a GPU version: once
                              given, never taken back */
  as_rates cpu;
  const char *source; /* as__model_source of the CPU's rates */
  double team_start_ns;
  int has_gpu;
  as_model_gpu_side gpu;
} as_model_snapshot;

/* Where dynamic hybrid's own error is learned, for a GPU's model key. */
void as__model_hybrid_key(const char *gpu_key, char *buf, size_t len);

/* The model store's generation (store.h), read without its lock. */
uint64_t as__model_generation(void);

/* Whether s still holds what the model says of k; no lock taken. */
static inline int as__model_snapshot_valid(const as_model_snapshot *s,
                                           const as_kernel *k) {
  return s->kernel == k && s->name == k->name && s->version == k->version &&
         s->generation == as__model_generation();
}

/* Takes s for k on the CPU of cpu_key, with the GPU's side when s had one
 * for k (same backend, state and key). */
void as__model_snapshot_take(as_model_snapshot *s, const as_kernel *k,
                             const char *cpu_key);

/* The GPU's side for backend with the GPU up (its key up_key) or not: s's
 * own while still true, else s taken again with it under the lock, which
 * records what the GPU layer reported first, as a read of the model always
 * has. Still true: neither the store's generation nor the GPU layer's has
 * moved since s was taken (every report moves the GPU layer's). */
const as_model_gpu_side *as__model_snapshot_gpu(as_model_snapshot *s,
                                                const as_kernel *k,
                                                const char *cpu_key,
                                                const char *backend, int up,
                                                const char *up_key);

#endif
