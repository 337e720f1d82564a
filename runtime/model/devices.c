/* The facts about each device (devices.h), kept as notes per backend in
 * the model's store (store.h). The CPU team's note is under the backend
 * "omp", as the profile has always written it. */
#include "devices.h"

#include <stdio.h>
#include <math.h>
#include <string.h>

#include "gpu/gpu.h"
#include "internal.h"
#include "store.h"

#define CPU_TEAM AS_MODEL_CPU_TEAM

void as__model_cpu_key(char *buf, size_t len) {
  char clean[90];
  as__name_copy(clean, sizeof clean, as__cpu_model());
  snprintf(buf, len, "cpu/%s", clean);
}

int as__model_last_gpu_in(as_model_store *s, const char *backend, char *key,
                          size_t len) {
  const as_model_note *g = as__model_find_note(s, backend);
  if (g) snprintf(key, len, "%s", g->key);
  return g != NULL;
}

int as__model_last_gpu(const char *backend, char *key, size_t len) {
  int found = as__model_last_gpu_in(as__model_lock(), backend, key, len);
  as__model_unlock();
  return found;
}

/* The noted start-up (or memory) of the backend's device key, else the
 * backend's default (an OpenMP team's first start is far cheaper than a CUDA
 * context's creation; calibration measures both on each host). */
double as__model_fact_in(as_model_store *s, const char *backend,
                         const char *key, int want_mem) {
  const as_model_note *g = as__model_find_note(s, backend);
  if (g && strcmp(g->key, key) == 0) {
    double v = want_mem ? g->mem : g->init_ns;
    if (v >= 0) return v;
  }
  if (strcmp(backend, CPU_TEAM) == 0) return want_mem ? 0 : 1e6;
  int sim = strcmp(backend, "sim") == 0;
  return want_mem ? (sim ? 1e9 : 8e9) : (sim ? 0 : 300e6);
}

static double fact(const char *backend, const char *key, int want_mem) {
  double v = as__model_fact_in(as__model_lock(), backend, key, want_mem);
  as__model_unlock();
  return v;
}

double as__model_cpu_team_start_ns(const char *cpu_key) {
  return fact(CPU_TEAM, cpu_key, 0);
}

double as__model_gpu_start_ns(const char *backend, const char *key) {
  return fact(backend, key, 0);
}

double as__model_gpu_mem(const char *backend, const char *key) {
  return fact(backend, key, 1);
}

/* With the lock held. */
static void note(as_model_store *s, const char *backend, const char *key,
                 double start_ns, double memory) {
  as_model_note *g = as__model_find_note(s, backend);
  if (!g && s->ng < AS_MODEL_MAX_NOTES) g = &s->g[s->ng++];
  if (!g) return;
  /* Start-up varies run to run: keep a slow average. */
  int same = strcmp(g->key, key) == 0 && g->init_ns > 0;
  snprintf(g->backend, sizeof g->backend, "%s", backend);
  snprintf(g->key, sizeof g->key, "%s", key);
  const int moved = !same || g->mem != memory;
  g->init_ns = same ? 0.75 * g->init_ns + 0.25 * start_ns : start_ns;
  g->mem = memory;
  /* Worth a save: a new device, or a start-up far from the saved one. */
  g->dirty |=
      moved || !(g->saved_init_ns > 0) ||
      fabs(g->init_ns / g->saved_init_ns - 1) > 4 * AS_MODEL_SAVE_CHANGE;
  as__model_changed();
}

/* With the lock held. */
static void forget(as_model_store *s, const char *backend) {
  as_model_note *g = as__model_find_note(s, backend);
  if (g) {
    g->gone = g->dirty = 1;
    as__model_changed();
  }
}

void as__model_note_cpu_team_start(const char *cpu_key, double ns) {
  note(as__model_lock(), CPU_TEAM, cpu_key, ns, 0);
  as__model_unlock();
}

void as__model_note_gpu(const char *backend, const char *key, double start_ns,
                        double memory) {
  note(as__model_lock(), backend, key, start_ns, memory);
  as__model_unlock();
}

void as__model_forget_gpu(const char *backend) {
  forget(as__model_lock(), backend);
  as__model_unlock();
}

/* The GPU layer's generation when its reports were last taken (0: never):
 * every report moves it, so while it stands there is nothing to take, and
 * the GPU layer's lock, cold after a long batch, is not taken. */
static uint64_t reports_taken_at;

void as__model_take_gpu_reports(void) {
  const uint64_t now =
      as__gpu_generation(); /* before: a later report moves it */
  if (now == reports_taken_at) return;
  reports_taken_at = now;
  as_gpu_report r;
  while (as__gpu_take_report(&r)) {
    if (r.key[0])
      note(as__model_loaded(), r.backend, r.key, r.start_ns, r.mem);
    else
      forget(as__model_loaded(), r.backend);
  }
}
