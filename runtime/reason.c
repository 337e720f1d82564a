#include "reason.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <accelstrat/report.h>

static const char *fmt_ns(double ns, char *buf, size_t len) {
  if (!isfinite(ns))
    snprintf(buf, len, "-");
  else if (ns < 1e3)
    snprintf(buf, len, "%.0f ns", ns);
  else if (ns < 1e6)
    snprintf(buf, len, "%.3g us", ns / 1e3);
  else if (ns < 1e9)
    snprintf(buf, len, "%.3g ms", ns / 1e6);
  else
    snprintf(buf, len, "%.3g s", ns / 1e9);
  return buf;
}

void as__reason_format(const as_reason *r, char *buf, size_t len) {
  char t1[24], t2[24], t3[24], t4[24], asked[32];
  const char *plural = r->threads == 1 ? "" : "s";
  as_strategy_format(r->asked, asked, sizeof asked);
  switch (r->kind) {
  case AS_REASON_NONE:
    if (len) buf[0] = '\0';
    break;
  case AS_REASON_EMPTY: snprintf(buf, len, "empty batch"); break;
  case AS_REASON_CPU_ASKED:
    snprintf(buf, len, "cpu requested; %d thread%s, predicted %s", r->threads,
             plural, fmt_ns(r->cpu_ns, t1, sizeof t1));
    break;
  case AS_REASON_AUTO_NO_GPU:
    snprintf(buf, len,
             "auto: GPU unusable (%.120s); cpu, %d thread%s, predicted %s",
             r->why, r->threads, plural, fmt_ns(r->cpu_ns, t1, sizeof t1));
    break;
  case AS_REASON_AUTO_CPU:
    snprintf(buf, len,
             "auto: cpu %s (%d thread%s) <= hybrid %s, gpu %s (cold start "
             "%s); rates: %s",
             fmt_ns(r->cpu_ns, t1, sizeof t1), r->threads, plural,
             fmt_ns(r->hybrid_ns, t2, sizeof t2),
             fmt_ns(r->gpu_ns, t3, sizeof t3),
             fmt_ns(r->cold_ns, t4, sizeof t4), r->model);
    break;
  case AS_REASON_AUTO_REFUSED:
    snprintf(buf, len,
             "auto: GPU predicted faster but %s (%.110s); cpu, %d thread%s",
             r->state, r->why, r->threads, plural);
    break;
  case AS_REASON_AUTO_FASTEST:
    snprintf(buf, len,
             "auto: %s; cpu %s (%d thread%s), gpu %s, hybrid %s (gpu share "
             "%.2f); rates: %s",
             r->strategy, fmt_ns(r->cpu_ns, t1, sizeof t1), r->threads, plural,
             fmt_ns(r->gpu_ns, t2, sizeof t2),
             fmt_ns(r->hybrid_ns, t3, sizeof t3), r->share, r->model);
    break;
  case AS_REASON_ASKED_GPU:
    snprintf(buf, len, "%s requested; %s (%s), %d thread%s", asked, r->backend,
             r->gpu_name, r->threads, plural);
    break;
  case AS_REASON_ASKED_OFF:
    snprintf(buf, len, "%s requested, GPU %s (%.120s) and fallback=off", asked,
             r->state, r->why);
    break;
  case AS_REASON_ASKED_FALLBACK:
    snprintf(buf, len,
             "%s requested, GPU %s (%.120s): fallback to cpu, %d thread%s",
             asked, r->state, r->why, r->threads, plural);
    break;
  }
}

void as__reason_append_run(as_report *rep, as_fault inject, long inject_chunk,
                           int64_t chunks) {
  char *buf = rep->reason;
  const size_t len = sizeof rep->reason;
  uint64_t moved = 0;
  unsigned causes = 0; /* bit per as_event_cause */
  for (unsigned e = 0; e < rep->n_events; e++) {
    moved += rep->events[e].tasks_moved;
    if (rep->events[e].tasks_moved && rep->events[e].cause < 32)
      causes |= 1u << rep->events[e].cause;
  }
  /* A batch that went to the CPU before it started says so already. */
  if (moved && rep->chosen.kind != AS_STRATEGY_CPU) {
    char names[96] = "";
    for (unsigned c = 0; c < 32; c++)
      if (causes & 1u << c) {
        size_t at = strlen(names);
        snprintf(names + at, sizeof names - at, "%s%s", at ? ", " : "",
                 as_event_cause_name((as_event_cause)c));
      }
    size_t at = strlen(buf);
    if (moved >= rep->tasks)
      snprintf(buf + at, len - at,
               "; fell back (%s): all %llu tasks ran on "
               "the CPU",
               names, (unsigned long long)rep->tasks);
    else
      snprintf(buf + at, len - at,
               "; fell back (%s): %llu of %llu tasks to "
               "the CPU",
               names, (unsigned long long)moved,
               (unsigned long long)rep->tasks);
  }
  if ((inject == AS_FAULT_GPU_OOM || inject == AS_FAULT_GPU_DRIVER_ERROR) &&
      inject_chunk >= chunks && rep->tasks) {
    size_t at = strlen(buf);
    const char *fault =
        inject == AS_FAULT_GPU_OOM ? "gpu-oom" : "gpu-driver-error";
    if (chunks == 0)
      snprintf(buf + at, len - at,
               "; inject=%s@%ld not reached: no GPU "
               "chunk ran",
               fault, inject_chunk);
    else
      snprintf(buf + at, len - at,
               "; inject=%s@%ld not reached: %lld GPU "
               "chunk attempt%s",
               fault, inject_chunk, (long long)chunks, chunks == 1 ? "" : "s");
  }
}
