#include <accelstrat/error.h>
#include <accelstrat/executor.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/gpu.h"
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
/* Below this much work auto keeps a batch on the CPU even with a GPU. */
#define AS_AUTO_GPU_WORK (1u << 26)

static int threads_for(const as_executor *ex, size_t tasks, uint64_t work) {
  int t = ex->caps.usable_cpus;
  if (ex->cfg.threads > 0 && ex->cfg.threads < t) t = ex->cfg.threads;
  if ((size_t)t > tasks) t = tasks ? (int)tasks : 1;
  if (work < AS_SERIAL_WORK) t = 1;
  return t;
}

/* The backend that can take this batch, or NULL with the reason in why. */
static const as_gpu_backend *usable_gpu(as_executor *ex, const as_kernel *k,
                                        const char **why) {
  if (ex->cfg.inject == AS_FAULT_GPU_UNAVAILABLE) {
    *why = "injected gpu-unavailable";
    return NULL;
  }
  as_gpu_info info;
  const as_gpu_backend *be = as__gpu_get(&info, why);
  ex->caps.gpu_count = be ? info.devices : 0;
  snprintf(ex->caps.gpu_backend, sizeof ex->caps.gpu_backend, "%s",
           be ? be->name : "none");
  snprintf(ex->caps.gpu_name, sizeof ex->caps.gpu_name, "%s", be ? info.name : "");
  if (be && !be->has_kernel(k)) {
    *why = "kernel has no GPU entry";
    return NULL;
  }
  return be;
}

/* Chooses where b runs and says why in rep; *be is the GPU backend when the
 * choice uses one. Returns 0, or AS_EGPU_UNAVAILABLE when a GPU was required
 * (fallback=off) and there is none. */
static int choose(as_executor *ex, const as_batch *b, int threads,
                  as_report *rep, as_strategy *chosen,
                  const as_gpu_backend **be) {
  const as_strategy cpu = {AS_STRATEGY_CPU, 0};
  const char *plural = threads == 1 ? "" : "s";
  const as_strategy_kind asked = ex->cfg.strategy.kind;
  *chosen = ex->cfg.strategy;
  *be = NULL;
  if (b->n == 0) { /* nothing to run needs no device, and cannot fail one */
    *chosen = cpu;
    snprintf(rep->reason, sizeof rep->reason, "empty batch");
    return 0;
  }
  if (asked == AS_STRATEGY_CPU) {
    snprintf(rep->reason, sizeof rep->reason, "cpu requested; %d thread%s",
             threads, plural);
    return 0;
  }
  /* Until calibrated costs decide, auto shares only large batches with a
   * GPU, and does not even wake one (a context costs far more than a small
   * batch) for the others. */
  if (asked == AS_STRATEGY_AUTO && rep->work < AS_AUTO_GPU_WORK) {
    *chosen = cpu;
    snprintf(rep->reason, sizeof rep->reason,
             "auto: %llu work units < %u; cpu, %d thread%s",
             (unsigned long long)rep->work, AS_AUTO_GPU_WORK, threads, plural);
    return 0;
  }
  char asked_name[32];
  as_strategy_format(ex->cfg.strategy, asked_name, sizeof asked_name);
  const char *why = "";
  const uint64_t probe = as__now_ns();
  *be = usable_gpu(ex, b->kernel, &why);
  const uint64_t detected = as__now_ns();
  if (*be) {
    snprintf(rep->gpu, sizeof rep->gpu, "%.15s: %.45s", (*be)->name, ex->caps.gpu_name);
    if (asked == AS_STRATEGY_AUTO) {
      /* Dynamic sharing is never much slower than the faster side alone. */
      *chosen = (as_strategy){AS_STRATEGY_HYBRID, 0};
      snprintf(rep->reason, sizeof rep->reason,
               "auto: %llu work units >= %u and %s; dynamic hybrid, %d thread%s",
               (unsigned long long)rep->work, AS_AUTO_GPU_WORK, (*be)->name,
               threads, plural);
    } else {
      snprintf(rep->reason, sizeof rep->reason, "%s requested; %s (%s), %d thread%s",
               asked_name, (*be)->name, ex->caps.gpu_name, threads, plural);
    }
    return 0;
  }
  if (asked == AS_STRATEGY_AUTO) {
    *chosen = cpu;
    snprintf(rep->reason, sizeof rep->reason,
             "auto: GPU unusable (%s); cpu, %d thread%s", why, threads, plural);
    return 0;
  }
  if (!ex->cfg.fallback) {
    snprintf(rep->reason, sizeof rep->reason,
             "%s requested, GPU unavailable (%s) and fallback=off", asked_name, why);
    return AS_EGPU_UNAVAILABLE; /* refused, not replaced */
  }
  *chosen = cpu;
  snprintf(rep->reason, sizeof rep->reason,
           "%s requested, GPU unavailable (%s): fallback to cpu, %d thread%s",
           asked_name, why, threads, plural);
  as_event *e = as__report_event(rep, AS_EVENT_GPU_UNAVAILABLE, -1, b->n,
                                 detected - probe, why);
  if (e) e->switch_ns = as__now_ns() - detected;
  return 0;
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
  as_strategy chosen;
  const as_gpu_backend *be;
  rc = choose(ex, b, threads, rep, &chosen, &be);
  rep->chosen = chosen;
  const uint64_t t1 = as__now_ns();
  rep->select_ns = t1 - t0;
  if (rc < 0) return rep->error = rc;
  rep->threads = threads;

  if (chosen.kind == AS_STRATEGY_CPU) {
    rc = as__cpu_run(b, 0, b->n, threads);
    rep->tasks_on[AS_DEVICE_CPU] = rc ? 0 : b->n;
  } else {
    rc = as__offload_run(ex, be, chosen, b, threads, rep);
  }
  rep->exec_ns = as__now_ns() - t1;
  return rep->error = rc;
}
