/* The one-line reason of a strategy choice (as_report.reason): what the
 * choice recorded (which sentence, its numbers and names), written out as
 * text only after the batch has run, so that no formatting of numbers
 * delays the start of a run. */
#ifndef ACCELSTRAT_RUNTIME_REASON_H
#define ACCELSTRAT_RUNTIME_REASON_H

#include <stddef.h>

#include <stdint.h>

#include <accelstrat/config.h>
#include <accelstrat/inject.h>

typedef enum as_reason_kind {
  AS_REASON_NONE = 0,
  AS_REASON_EMPTY,          /* an empty batch */
  AS_REASON_CPU_ASKED,      /* strategy=cpu */
  AS_REASON_AUTO_NO_GPU,    /* auto: the GPU unusable */
  AS_REASON_AUTO_CPU,       /* auto: the CPU predicted fastest, GPU asleep */
  AS_REASON_AUTO_REFUSED,   /* auto: the GPU predicted faster, but refused */
  AS_REASON_AUTO_FASTEST,   /* auto: the fastest of the three, GPU awake */
  AS_REASON_ASKED_GPU,      /* gpu or hybrid, on the GPU */
  AS_REASON_ASKED_OFF,      /* gpu or hybrid refused and fallback=off */
  AS_REASON_ASKED_FALLBACK, /* gpu or hybrid refused: the CPU instead */
} as_reason_kind;

typedef struct as_reason {
  as_reason_kind kind;
  int threads;
  double cpu_ns, gpu_ns, hybrid_ns, cold_ns, share;
  const char *strategy; /* the kind chosen (auto's fastest) */
  const char *state;    /* "busy", "unusable", "unavailable" */
  const char *backend, *gpu_name, *model; /* live past the run */
  as_strategy asked;                      /* the strategy asked */
  char why[128];                          /* why the GPU was refused, copied */
} as_reason;

/* Writes r's sentence into buf (as_report.reason). */
void as__reason_format(const as_reason *r, char *buf, size_t len);

/* What the run did that the choice could not say, appended to rep->reason
 * after it: how many tasks fell back to the CPU and why, so that a batch
 * chosen for the GPU whose tasks all ran on the CPU says so; and an injected
 * fault (inject at chunk inject_chunk) that the batch never reached, in
 * `chunks` GPU chunk attempts (0: it ran on the CPU only). */
struct as_report;
void as__reason_append_run(struct as_report *rep, as_fault inject,
                           long inject_chunk, int64_t chunks);

#endif
