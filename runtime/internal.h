/* Runtime internals shared between its files. */
#ifndef ACCELSTRAT_RUNTIME_INTERNAL_H
#define ACCELSTRAT_RUNTIME_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <accelstrat/executor.h>
#include <accelstrat/inject.h>

#include "gpu/gpu.h"
#include "jobserver.h"
#include "model/snapshot.h"
#include "support/clock.h"

/* What a decision reads comes first: right after a long batch every cache
 * line of it is a miss. */
struct as_executor {
  as_config cfg;
  as_fault inject;   /* planted at the GPU boundary (as_executor_inject) */
  long inject_chunk; /* ...at this chunk (attempt) */
  double load;       /* 1-minute load average (negative: unknown)... */
  uint64_t load_at;  /* ...read at this time (0: never) */
  as_model_snapshot model; /* what its decisions read of the cost model */
  as_gpu_view gpu;         /* ...and of the GPU layer */
  as_capabilities caps;
  as_jobserver js;  /* GNU make's, when the environment names one */
  char cpu_key[96]; /* the cost model's key of this CPU */
};

/* Characters kept in keys and file names made of outside text (host, CPU
 * and GPU names, device keys): [A-Za-z0-9._-]. */
static inline int as__name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

/* src into dst (of len bytes), characters outside those as '_'. */
static inline void as__name_copy(char *dst, size_t len, const char *src) {
  size_t i = 0;
  for (; src && src[i] && i + 1 < len; i++)
    dst[i] = as__name_char(src[i]) ? src[i] : '_';
  if (len) dst[i] = '\0';
}

/* This CPU's model name (/proc/cpuinfo), "unknown" without one. */
const char *as__cpu_model(void);

/* Which limit bound a run's threads, kept as it was found and written out
 * (as_report.thread_limit_by) only after the run. */
typedef enum as_bound_kind {
  AS_BOUND_ONLINE,                /* "online 16" */
  AS_BOUND_AFFINITY,              /* "affinity 8" */
  AS_BOUND_CGROUP,                /* "cgroup cpu.max 1.5" */
  AS_BOUND_THREADS,               /* "threads=4" */
  AS_BOUND_LOAD,                  /* "load average 3.20 of 4 CPUs" */
  AS_BOUND_JOBSERVER,             /* "jobserver: 2 tokens" */
  AS_BOUND_JOBSERVER_UNREACHABLE, /* "jobserver unreachable: DETAIL" */
  AS_BOUND_TASKS                  /* "tasks 3": no more threads than tasks */
} as_bound_kind;

typedef struct as_thread_bound {
  as_bound_kind by;
  int limit;
  double load; /* the load average it was found with */
} as_thread_bound;

/* Threads a run may use before the jobserver has its say: the minimum of
 * requested (threads=; 0 when unset), the online CPUs, the affinity mask and
 * the cgroup quota, and, with neither a jobserver nor threads=, what the
 * 1-minute load average (negative: unknown) leaves idle. *bound names the
 * bound. At least 1. */
int as__thread_bound(const as_capabilities *caps, int requested, int jobserver,
                     double loadavg, as_thread_bound *bound);
/* The bound's text; jobserver_detail is the jobserver's (as_jobserver). */
void as__thread_bound_format(const as_thread_bound *b,
                             const as_capabilities *caps,
                             const char *jobserver_detail, char *buf,
                             size_t len);
/* Both at once, the text into why. */
int as__thread_limit(const as_capabilities *caps, int requested, int jobserver,
                     double loadavg, char *why, size_t len);

/* Appends an event to rep (switch time 0, to be set when known); NULL when
 * rep is full, which is then counted in events_dropped. */
as_event *as__report_event(as_report *rep, as_event_cause cause, int64_t chunk,
                           uint64_t moved, uint64_t detect_ns,
                           const char *detail);

/* Whether a team of several OpenMP threads has run in this process yet, and
 * the note that one is about to. */
int as__cpu_team_up(void);
void as__cpu_team_started(void);

/* Runs tasks [begin, end) of b on up to `threads` OpenMP threads, each
 * taking a share of what is left at a time (guided: long ranges first,
 * single tasks last). Returns 0 or the first error a kernel call returned. */
int as__cpu_run(const as_batch *b, size_t begin, size_t end, int threads);
/* The same; with several threads, idle(arg) runs once on the first thread
 * to find the queue empty, while the others finish their last ranges. */
int as__cpu_run_idle(const as_batch *b, size_t begin, size_t end, int threads,
                     void (*idle)(void *), void *arg);

/* Runs b with a GPU strategy (gpu, hybrid, hybrid:F) on backend be, falling
 * back to the CPU as cfg->fallback allows; fills rep's tasks per device and
 * events, and *chunks with the GPU chunk attempts made. Returns 0 or a
 * negative as_errno. */
struct as_gpu_backend;
int as__offload_run(const as_executor *ex, const struct as_gpu_backend *be,
                    as_strategy strategy, const as_batch *b, int threads,
                    as_report *rep, int64_t *chunks);

#endif
