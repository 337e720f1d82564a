/* The cost model's predictions: rates per (kernel, version, device) from the
 * profile (or built-in defaults), predicted times per strategy, and what the
 * runs teach it (an online scale per rate). Process-wide and thread-safe;
 * devices.h has the facts about each device, profile.h the file. */
#ifndef ACCELSTRAT_RUNTIME_MODEL_PREDICT_H
#define ACCELSTRAT_RUNTIME_MODEL_PREDICT_H

#include <stddef.h>
#include <stdint.h>

#include <accelstrat/kernel.h>

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

/* Rates of k on device (a key, devices.h; "cpu/..." for the CPU): from the
 * profile when it has them for this kernel version, else the defaults for
 * the device's kind ("cpu", "cuda", "sim"). */
void as__model_rates(const as_kernel *k, const char *device, as_rates *r);

/* Predicted nanoseconds, the start-up of a device (devices.h) excluded. */
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

/* Calibration's results, replacing the rates of that key on the next save. */
void as__model_set_rates(const as_kernel *k, const char *device,
                         const as_rates *r);

/* Where the rates of k on device come from: "profile" (calibrated),
 * "learned" (defaults with a learned scale) or "defaults". */
const char *as__model_source(const as_kernel *k, const char *device);

#endif
