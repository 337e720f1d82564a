/* The executor's copy of what its decisions read of the model
 * (snapshot.h). */
#include "snapshot.h"

#include <stdio.h>
#include <string.h>

#include "store.h"

/* Where dynamic hybrid's own error is learned, for a GPU's model key. */
void as__model_hybrid_key(const char *gpu_key, char *buf, size_t len) {
  snprintf(buf, len, "hybrid/%.96s", gpu_key);
}

/* With the lock held: the GPU's side for backend, up or not. */
static void take_gpu(as_model_store *st, as_model_gpu_side *g,
                     const as_kernel *k, const char *backend, int up,
                     const char *up_key) {
  snprintf(g->backend, sizeof g->backend, "%s", backend);
  g->up = up;
  g->start_ns = 0;
  if (up) {
    snprintf(g->key, sizeof g->key, "%s", up_key);
  } else {
    if (!as__model_last_gpu_in(st, backend, g->key, sizeof g->key))
      snprintf(g->key, sizeof g->key, "%s", backend);
    g->start_ns = as__model_fact_in(st, backend, g->key, 0);
  }
  as__model_rates_in(st, k, g->key, &g->rates);
  g->mem = as__model_fact_in(st, backend, g->key, 1);
  char hkey[104];
  as__model_hybrid_key(g->key, hkey, sizeof hkey);
  g->hybrid_scale = as__model_scale_in(st, k, hkey);
}

/* With the lock held. */
static void take(as_model_store *st, as_model_snapshot *s, const as_kernel *k,
                 const char *cpu_key) {
  if (s->kernel != k) s->has_gpu = 0;
  s->kernel = k;
  s->name = k->name;
  s->version = k->version;
  s->generation = as__model_generation();
  as__model_rates_in(st, k, cpu_key, &s->cpu);
  s->source = as__model_source_in(st, k, cpu_key);
  s->team_start_ns = as__model_fact_in(st, AS_MODEL_CPU_TEAM, cpu_key, 0);
  if (s->has_gpu) { /* the same side again, from copies of its names */
    char backend[sizeof s->gpu.backend], key[sizeof s->gpu.key];
    memcpy(backend, s->gpu.backend, sizeof backend);
    memcpy(key, s->gpu.key, sizeof key);
    take_gpu(st, &s->gpu, k, backend, s->gpu.up, key);
  }
}

void as__model_snapshot_take(as_model_snapshot *s, const as_kernel *k,
                             const char *cpu_key) {
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
  as_model_store *st = as__model_lock();
  if (!as__model_snapshot_valid(s, k) || !s->has_gpu ||
      !same_gpu(&s->gpu, backend, up, up_key)) {
    take(st, s, k, cpu_key);
    take_gpu(st, &s->gpu, k, backend, up, up_key);
    s->has_gpu = 1;
  }
  as__model_unlock();
  return &s->gpu;
}
