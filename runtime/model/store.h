/* The model's memory, private to runtime/model/: the rates of each (kernel,
 * version, device) and the notes on each device, process-wide behind one
 * lock, read from the profile on first use and merged back into it on save
 * (profile.c keeps it; predict.c and devices.c read and write it). */
#ifndef ACCELSTRAT_RUNTIME_MODEL_STORE_H
#define ACCELSTRAT_RUNTIME_MODEL_STORE_H

#include <stdint.h>

#include "predict.h"

#define AS_MODEL_MAX_RATES 128
#define AS_MODEL_MAX_NOTES 16
/* The backend under which the CPU team's start-up is noted. */
#define AS_MODEL_CPU_TEAM "omp"

typedef struct as_model_entry {
  char kernel[32];
  unsigned version;
  char device[96];
  as_rates r;
  double ratios[AS_MODEL_WINDOW]; /* oldest first */
  int n_ratios;
  double fresh[AS_MODEL_WINDOW]; /* learned since the last save */
  int n_fresh;
  int replaced;       /* calibrated in this process: its rates win on save */
  double saved_scale; /* the scale the profile holds; 0: not in it */
} as_model_entry;

/* A device's start-up time and memory, per backend (devices.h); the file's
 * "gpu" lines, the CPU team's included. */
typedef struct as_model_note {
  char backend[16];
  char key[96];
  double init_ns, mem;
  int dirty;            /* changed materially since the profile was read */
  double saved_init_ns; /* what the profile holds; 0: not in it */
  int gone;             /* the backend found no device: drop the note on save */
} as_model_note;

typedef struct as_model_store {
  as_model_entry e[AS_MODEL_MAX_RATES];
  int n;
  as_model_note g[AS_MODEL_MAX_NOTES];
  int ng;
} as_model_store;

/* Takes the lock, records what the GPU layer reported since (devices.c),
 * and returns the store, read from the profile on first use. */
as_model_store *as__model_lock(void);
void as__model_unlock(void);

/* The store's generation, read without the lock: it moves whenever the
 * store's contents do, as__model_changed saying so with the lock held. What
 * was read under the lock at one generation stays true while it has not
 * moved (snapshot.h). */
uint64_t as__model_generation(void);
void as__model_changed(void);

/* An entry's scale: the median of its window of measured/predicted
 * ratios (1 without any), within [1/64, 64]. */
double as__model_entry_scale(const as_model_entry *e);

/* A scale or start-up time that moved by more than this fraction since the
 * profile was read is worth writing back; less is noise, and the profile
 * is not rewritten for it by every compile. */
#define AS_MODEL_SAVE_CHANGE 0.05

/* With the lock held: the store, read from the profile on first use. */
as_model_store *as__model_loaded(void);

/* With the lock held (devices.c): records the GPU layer's reports. */
void as__model_take_gpu_reports(void);

as_model_entry *as__model_find(as_model_store *s, const char *kernel,
                               unsigned version, const char *device);
/* The backend's note (not one gone), or NULL. */
as_model_note *as__model_find_note(as_model_store *s, const char *backend);

/* With the lock held: what as__model_rates, as__model_source and
 * as__model_scale (predict.h) return. */
void as__model_rates_in(as_model_store *s, const as_kernel *k,
                        const char *device, as_rates *r);
const char *as__model_source_in(as_model_store *s, const as_kernel *k,
                                const char *device);
double as__model_scale_in(as_model_store *s, const as_kernel *k,
                          const char *device);
/* With the lock held: the backend's noted start-up (want_mem 0) or memory
 * for the device key, else the backend's default (devices.h), and its last
 * device's key (0: none noted). */
double as__model_fact_in(as_model_store *s, const char *backend,
                         const char *key, int want_mem);
int as__model_last_gpu_in(as_model_store *s, const char *backend, char *key,
                          size_t len);

/* Appends x to a window of AS_MODEL_WINDOW values, the oldest dropped. */
void as__model_window_add(double *v, int *n, double x);

#endif
