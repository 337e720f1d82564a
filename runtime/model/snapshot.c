/* The executor's copy of what its decisions read of the model
 * (snapshot.h). */
#include "snapshot.h"

#include <stdio.h>
#include <string.h>

#include "gpu/gpu.h"
#include "registry.h"
#include "store.h"

/* Where dynamic hybrid's own error is learned, for a GPU's model key. */
void as__model_hybrid_key(const char *gpu_key, char *buf, size_t len) {
  snprintf(buf, len, "hybrid/%.96s", gpu_key);
}

/* With the lock held: g's figures for its backend, up or not. Down, its
 * key is the backend's last device the store has seen (or the backend),
 * which the store may have changed; the hybrid key is made again only when
 * the key has changed, without a cold snprintf on a decision's path. */
static void read_gpu(as_model_store *st, as_model_gpu_side *g,
                     const as_kernel *k) {
  g->start_ns = 0;
  if (!g->up) {
    char key[sizeof g->key];
    if (!as__model_last_gpu_in(st, g->backend, key, sizeof key))
      snprintf(key, sizeof key, "%s", g->backend);
    if (strcmp(key, g->key) != 0) {
      memcpy(g->key, key, sizeof key);
      g->hybrid_key[0] = '\0';
    }
    g->start_ns = as__model_fact_in(st, g->backend, g->key, 0);
  }
  if (!g->hybrid_key[0])
    as__model_hybrid_key(g->key, g->hybrid_key, sizeof g->hybrid_key);
  as__model_rates_in(st, k, g->key, &g->rates);
  g->mem = as__model_fact_in(st, g->backend, g->key, 1);
  g->hybrid_scale = as__model_scale_in(st, k, g->hybrid_key);
}

/* With the lock held: the GPU's side for backend, up (its key up_key) or
 * not. */
static void take_gpu(as_model_store *st, as_model_gpu_side *g,
                     const as_kernel *k, const char *backend, int up,
                     const char *up_key) {
  snprintf(g->backend, sizeof g->backend, "%s", backend);
  g->up = up;
  snprintf(g->key, sizeof g->key, "%s", up ? up_key : "");
  g->hybrid_key[0] = '\0';
  read_gpu(st, g, k);
}

/* With the lock held. */
static void take(as_model_store *st, as_model_snapshot *s, const as_kernel *k,
                 const char *cpu_key) {
  const int same =
      s->kernel == k && s->name == k->name && s->version == k->version;
  if (s->kernel != k) s->has_gpu = 0;
  /* A yes for this kernel stays true: no cold search of the registry. */
  if (!(same && s->kernel_gpu)) s->kernel_gpu = as__kernel_has_gpu(k);
  s->kernel = k;
  s->name = k->name;
  s->version = k->version;
  s->generation = as__model_generation();
  as__model_rates_in(st, k, cpu_key, &s->cpu);
  s->source = as__model_source_in(st, k, cpu_key);
  s->team_start_ns = as__model_fact_in(st, AS_MODEL_CPU_TEAM, cpu_key, 0);
  if (s->has_gpu) read_gpu(st, &s->gpu, k); /* the same side again */
}

void as__model_snapshot_take(as_model_snapshot *s, const as_kernel *k,
                             const char *cpu_key) {
  s->gpu_generation = as__gpu_generation(); /* before the reports are taken */
  take(as__model_lock(), s, k, cpu_key);
  as__model_unlock();
}

static int same_gpu(const as_model_gpu_side *g, const char *backend, int up,
                    const char *up_key) {
  return g->up == up && strcmp(g->backend, backend) == 0 &&
         (!up || strcmp(g->key, up_key) == 0);
}

const as_model_gpu_side *as__model_snapshot_gpu(as_model_snapshot *s,
                                                const as_kernel *k,
                                                const char *cpu_key,
                                                const char *backend, int up,
                                                const char *up_key) {
  const uint64_t gpu_generation = as__gpu_generation();
  if (as__model_snapshot_valid(s, k) && s->has_gpu &&
      s->gpu_generation == gpu_generation &&
      same_gpu(&s->gpu, backend, up, up_key))
    return &s->gpu;
  as_model_store *st = as__model_lock();
  s->gpu_generation = gpu_generation;
  take(st, s, k, cpu_key);
  take_gpu(st, &s->gpu, k, backend, up, up_key);
  s->has_gpu = 1;
  as__model_unlock();
  return &s->gpu;
}
