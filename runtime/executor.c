#include <accelstrat/error.h>
#include <accelstrat/executor.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int as_executor_create(const as_config *cfg, as_executor **out) {
  if (!out) return AS_EINVAL;
  *out = NULL;
  as_executor *ex = calloc(1, sizeof *ex);
  if (!ex) return AS_ENOMEM;
  if (cfg) {
    ex->cfg = *cfg;
  } else if (as_config_init(&ex->cfg, NULL, 0) < 0) {
    free(ex);
    return AS_EINVAL;
  }
  as_capabilities_detect(&ex->caps);
  *out = ex;
  return 0;
}

void as_executor_destroy(as_executor *ex) { free(ex); }

const as_capabilities *as_executor_capabilities(const as_executor *ex) {
  return &ex->caps;
}

const as_config *as_executor_config(const as_executor *ex) { return &ex->cfg; }

/* Checks the batch's shape and sums its work in one pass over the tasks. */
static int validate_and_measure(const as_batch *b, uint64_t *work) {
  const as_kernel *k = b->kernel;
  if (!k || !k->cpu || !k->name) return AS_EINVAL;
  if (b->n && k->out_size && !b->out) return AS_EINVAL;
  if (b->offsets && b->n && !b->data && b->offsets[b->n] != b->offsets[0])
    return AS_EINVAL;
  uint64_t total = 0;
  for (size_t i = 0; i < b->n; i++) {
    if (b->offsets && b->offsets[i + 1] < b->offsets[i]) return AS_EINVAL;
    total += k->cost ? k->cost(b, i) : 1;
  }
  *work = total;
  return 0;
}

/* Below this much work (in the kernel's units) starting threads costs more
 * than it saves, so the batch runs on the calling thread. Calibrated cost
 * models replace this guess per kernel. */
#define AS_SERIAL_WORK (1u << 20)

static int threads_for(const as_executor *ex, size_t tasks, uint64_t work) {
  int t = ex->caps.usable_cpus;
  if (ex->cfg.threads > 0 && ex->cfg.threads < t) t = ex->cfg.threads;
  if ((size_t)t > tasks) t = tasks ? (int)tasks : 1;
  if (work < AS_SERIAL_WORK) t = 1;
  return t;
}

/* Why the GPU cannot take this batch, or NULL when it can. No GPU backend is
 * built yet, so every GPU request ends here. */
static const char *gpu_unavailable_reason(const as_executor *ex,
                                          const as_kernel *k) {
  if (ex->caps.gpu_count == 0) return "no GPU backend";
  if (!k->has_gpu) return "kernel has no GPU entry";
  return NULL;
}

static void add_event(as_report *rep, as_event_cause cause, int64_t chunk,
                      uint64_t moved, uint64_t detect_ns, uint64_t switch_ns,
                      const char *detail) {
  if (rep->n_events >= AS_MAX_EVENTS) return;
  as_event *e = &rep->events[rep->n_events++];
  e->cause = cause;
  e->chunk = chunk;
  e->tasks_moved = moved;
  e->detect_ns = detect_ns;
  e->switch_ns = switch_ns;
  snprintf(e->detail, sizeof e->detail, "%s", detail);
}

int as_run(as_executor *ex, const as_batch *b, as_report *rep_out) {
  as_report local;
  as_report *rep = rep_out ? rep_out : &local;
  memset(rep, 0, sizeof *rep);
  if (!ex || !b) return rep->error = AS_EINVAL;
  rep->requested = ex->cfg.strategy;
  rep->tasks = b->n;
  if (b->kernel && b->kernel->name)
    snprintf(rep->kernel, sizeof rep->kernel, "%s", b->kernel->name);

  const uint64_t t0 = as__now_ns();
  int rc = validate_and_measure(b, &rep->work);
  if (rc < 0) return rep->error = rc;

  const int threads = threads_for(ex, b->n, rep->work);
  const as_strategy cpu = {AS_STRATEGY_CPU, 0};
  rep->chosen = cpu;
  const as_strategy_kind asked = ex->cfg.strategy.kind;
  if (asked == AS_STRATEGY_CPU) {
    snprintf(rep->reason, sizeof rep->reason, "cpu requested; %d thread%s",
             threads, threads == 1 ? "" : "s");
  } else {
    const uint64_t probe = as__now_ns();
    const char *why = gpu_unavailable_reason(ex, b->kernel);
    const uint64_t detected = as__now_ns();
    if (asked == AS_STRATEGY_AUTO) {
      snprintf(rep->reason, sizeof rep->reason, "auto: GPU unusable (%s); cpu, %d thread%s",
               why, threads, threads == 1 ? "" : "s");
    } else if (!ex->cfg.fallback) {
      snprintf(rep->reason, sizeof rep->reason,
               "%s requested, GPU unavailable (%s) and fallback=off",
               as_strategy_kind_name(asked), why);
      rep->chosen = ex->cfg.strategy; /* refused, not replaced */
      rep->select_ns = as__now_ns() - t0;
      return rep->error = AS_EGPU_UNAVAILABLE;
    } else {
      snprintf(rep->reason, sizeof rep->reason,
               "%s requested, GPU unavailable (%s): fallback to cpu, %d thread%s",
               as_strategy_kind_name(asked), why, threads, threads == 1 ? "" : "s");
      add_event(rep, AS_EVENT_GPU_UNAVAILABLE, -1, b->n, detected - probe,
                as__now_ns() - detected, why);
    }
  }
  const uint64_t t1 = as__now_ns();
  rep->select_ns = t1 - t0;
  rep->threads = threads;

  rc = as__cpu_run(b, threads);
  rep->exec_ns = as__now_ns() - t1;
  rep->tasks_on[AS_DEVICE_CPU] = rc ? 0 : b->n;
  return rep->error = rc;
}
