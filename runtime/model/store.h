/* The model's memory, private to runtime/model/: the rates of each (kernel,
 * version, device) and the notes on each device, process-wide behind one
 * lock, read from the profile on first use and merged back into it on save
 * (profile.c keeps it; predict.c and devices.c read and write it). */
#ifndef ACCELSTRAT_RUNTIME_MODEL_STORE_H
#define ACCELSTRAT_RUNTIME_MODEL_STORE_H

#include "predict.h"

#define AS_MODEL_MAX_RATES 128
#define AS_MODEL_MAX_NOTES 16

typedef struct as_model_entry {
  char kernel[32];
  unsigned version;
  char device[96];
  as_rates r;
  double ratios[AS_MODEL_WINDOW]; /* oldest first */
  int n_ratios;
  double fresh[AS_MODEL_WINDOW]; /* learned since the last save */
  int n_fresh;
  int replaced; /* calibrated in this process: its rates win on save */
} as_model_entry;

/* A device's start-up time and memory, per backend (devices.h); the file's
 * "gpu" lines, the CPU team's included. */
typedef struct as_model_note {
  char backend[16];
  char key[96];
  double init_ns, mem;
  int dirty;
  int gone; /* the backend found no device: drop the note on save */
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

/* With the lock held: the store, read from the profile on first use. */
as_model_store *as__model_loaded(void);

/* With the lock held (devices.c): records the GPU layer's reports. */
void as__model_take_gpu_reports(void);

as_model_entry *as__model_find(as_model_store *s, const char *kernel,
                               unsigned version, const char *device);
/* The backend's note (not one gone), or NULL. */
as_model_note *as__model_find_note(as_model_store *s, const char *backend);

/* Appends x to a window of AS_MODEL_WINDOW values, the oldest dropped. */
void as__model_window_add(double *v, int *n, double x);

#endif
