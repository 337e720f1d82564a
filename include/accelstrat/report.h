/* What one as_run() did: the record that metrics and reports are made of. */
#ifndef ACCELSTRAT_REPORT_H
#define ACCELSTRAT_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "export.h"

AS_EXTERN_C_BEGIN

#define AS_MAX_EVENTS 16

typedef enum as_device {
  AS_DEVICE_CPU = 0,
  AS_DEVICE_GPU = 1,
  AS_DEVICE_COUNT
} as_device;

typedef enum as_event_cause {
  AS_EVENT_GPU_UNAVAILABLE = 0,
  AS_EVENT_GPU_OOM,
  AS_EVENT_GPU_DRIVER_ERROR,
  AS_EVENT_GPU_BUSY /* every GPU slot held by other processes */
} as_event_cause;

/* The strategies the cost model predicts, indexes of predicted_ns. */
typedef enum as_prediction {
  AS_PREDICT_CPU = 0,
  AS_PREDICT_GPU,
  AS_PREDICT_HYBRID,
  AS_PREDICT_COUNT
} as_prediction;

AS_API const char *as_event_cause_name(as_event_cause c);

/* One fallback from the GPU to the CPU. */
typedef struct as_event {
  as_event_cause cause;
  int64_t chunk;        /* chunk index, -1 when before any chunk */
  uint64_t tasks_moved; /* tasks that went to the CPU because of it */
  uint64_t detect_ns;   /* from the failing call to its classification */
  uint64_t switch_ns;   /* from classification to the CPU starting the work */
  char detail[96];
} as_event;

typedef struct as_report {
  char kernel[32];
  uint64_t tasks;
  uint64_t work; /* total work units (the kernel's cost) */
  as_strategy requested;
  as_strategy chosen;
  char reason[256];         /* one line: why chosen */
  char gpu[64];             /* the GPU backend and device used, "" when none */
  int threads;              /* CPU threads used */
  int thread_limit;         /* threads the resources allowed this run */
  char thread_limit_by[160]; /* which limit bound it: "threads=4",
                               "affinity 8", "cgroup cpu.max 1.5",
                               "jobserver: 2 tokens", "load average 3.2
                               of 4 CPUs", "online 16" */
  int jobserver_tokens;     /* tokens held, the implicit one included; 0: no
                               jobserver */
  int gpu_slot;             /* GPU slot this process holds, -1: none */
  int gpu_slots;            /* slots per device (ACCELSTRAT_GPU_SLOTS) */
  /* The cost model's predictions in ns (0: not considered), GPU cold start
   * included while the GPU was not yet up, and where the rates came from:
   * "profile" (calibrated), "learned" (defaults refined online) or
   * "defaults". */
  uint64_t predicted_ns[AS_PREDICT_COUNT];
  double predicted_gpu_share; /* hybrid's equalising split */
  char model[16];
  uint64_t select_ns; /* strategy selection: check_ns, the thread limit
                         and the decision */
  uint64_t check_ns;  /* of select_ns: the pass over the tasks that
                         validates them and sums their cost */
  uint64_t exec_ns;   /* execution, selection excluded */
  uint64_t tasks_on[AS_DEVICE_COUNT];
  unsigned n_events;
  unsigned events_dropped; /* events beyond AS_MAX_EVENTS, counted only */
  as_event events[AS_MAX_EVENTS];
  int error; /* 0 or the as_errno as_run returned */
} as_report;

/* Writes rep as one JSON object (no newline). Returns 0 or AS_EIO. */
AS_API int as_report_write_json(const as_report *rep, FILE *f);

AS_EXTERN_C_END

#endif
