/* The cost model: rates per (kernel, version, device) from the profile (or
 * built-in defaults), predictions per strategy, online updates, and the
 * profile file itself. Process-wide and thread-safe; the profile is read on
 * first use and written by as_profile_save(). */
#ifndef ACCELSTRAT_RUNTIME_MODEL_H
#define ACCELSTRAT_RUNTIME_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <accelstrat/kernel.h>

/* Format of the profile file; a file of another version is ignored. */
#define AS_PROFILE_FORMAT 1
/* Ratios kept per rate for the online update: their median scales it. */
#define AS_MODEL_WINDOW 9
/* Runs shorter than this teach the model nothing: timer noise and fixed
 * costs dominate them. */
#define AS_MODEL_LEARN_MIN_NS 50000.0

typedef struct as_rates {
  double batch_ns; /* per batch: CPU, starting threads (with more than one);
                      GPU, per chunk (allocation, launches, synchronisation) */
  double task_ns;  /* per task: on one CPU thread, or on the GPU */
  double unit_ns;  /* per work unit (the kernel's cost): same */
  double lane_ns;  /* GPU: per work unit of one task alone (the parallelism
                      inside a task); CPU: unit_ns */
  double byte_ns;  /* GPU: per byte copied to and from the device */
  double eff;      /* CPU: parallel efficiency with several threads */
  double scale;    /* median of recent measured/predicted ratios; 1 without */
  int calibrated;  /* 1: measured by as_calibrate, 0: built-in defaults */
} as_rates;

/* What the model needs to know of a batch; one pass over the tasks. */
typedef struct as_shape {
  size_t n;
  uint64_t work;     /* sum of the kernel's cost */
  uint64_t max_work; /* the largest task's cost */
  uint64_t bytes;    /* to and from a device (as_batch_device_bytes of all) */
} as_shape;

/* Device keys: "cpu/MODEL" and "BACKEND/NAME/DRIVER", spaces and other
 * characters outside [A-Za-z0-9._-] turned into '_'. */
void as__model_cpu_key(char *buf, size_t len);
void as__model_gpu_key(const char *backend, const char *name,
                       const char *driver, char *buf, size_t len);

/* Rates of k on device (a key; "cpu/..." for the CPU): from the profile when
 * it has them for this kernel version, else the defaults for the device's
 * kind ("cpu", "cuda", "sim"). */
void as__model_rates(const as_kernel *k, const char *device, as_rates *r);

/* Predicted nanoseconds, the cold start of a GPU excluded. */
double as__predict_cpu(const as_rates *r, const as_shape *s, int threads);
double as__predict_gpu(const as_rates *r, const as_shape *s, double mem);
/* Dynamic hybrid with `threads` threads, one of them driving the GPU: the
 * GPU share that equalises both sides (at least its first claim of the
 * shared queue, schedule.h) goes to *share. Infinity with fewer than 2
 * threads. */
double as__predict_hybrid(const as_rates *cpu, const as_rates *gpu,
                          const as_shape *s, int threads, double mem,
                          double *share);

/* The online scale alone (1 when nothing was learned): dynamic hybrid's
 * own error is learned under the device "hybrid/GPUKEY", on top of the two
 * devices' rates. */
double as__model_scale(const as_kernel *k, const char *device);

/* Teaches the model one run: measured_ns against what it predicted with a
 * scale of 1 (the ratio goes into the rate's window). */
void as__model_learn(const as_kernel *k, const char *device, double measured_ns,
                     double unscaled_ns);

/* GPU facts per backend: the key of its last device seen on this host (so
 * a process can predict before it wakes the GPU), context creation time and
 * memory. The backend AS_MODEL_OMP notes the CPU's: the first start of an
 * OpenMP team in a process (init_ns). */
#define AS_MODEL_OMP "omp"
int as__model_last_gpu(const char *backend, char *key, size_t len);
double as__model_gpu_init_ns(const char *backend, const char *key);
double as__model_gpu_mem(const char *backend, const char *key);
void as__model_note_gpu(const char *backend, const char *key, double init_ns,
                        double mem);

/* The backend found no device (a stale note would make every process
 * predict, and probe, a GPU that is not there): the note goes on save. */
void as__model_forget_gpu(const char *backend);

/* Calibration's results, replacing the rates of that key on the next save. */
void as__model_set_rates(const as_kernel *k, const char *device,
                         const as_rates *r);

/* "profile" when the rates of k on device came from the file, "defaults". */
const char *as__model_source(const as_kernel *k, const char *device);

/* Tests: forgets everything in memory (the next use reads the file again)
 * and counts the warnings printed so far. */
void as__model_reset(void);
unsigned as__model_warnings(void);

#endif
