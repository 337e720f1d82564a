/* The cost model's predictions and learning (predict.h); its memory is
 * store.h's. */
#include "predict.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "registry.h"
#include "schedule.h"
#include "store.h"
#include "support/stats.h"

/* ---- default rates: without a profile; a built-in kernel's come from its
 * registry entry (kernels/kernels.c says where they were measured) ---- */

static void defaults_for(const as_kernel *k, const char *device, as_rates *r) {
  /* By name, as the profile keeps rates. A user kernel: its units are
   * unknown; say a nanosecond each. */
  const as_builtin *e = as__builtin_named(k->name, strlen(k->name));
  const as_builtin_rates user = {1.0, 100, 1.0, 100, 1.0};
  const as_builtin_rates *bi = e ? &e->rates : &user;
  memset(r, 0, sizeof *r);
  r->scale = 1;
  r->eff = 0.9;
  if (strncmp(device, "cpu", 3) == 0) {
    r->batch_ns = 20e3; /* an OpenMP team's start-up and join */
    r->task_ns = bi->cpu_task;
    r->unit_ns = r->lane_ns = bi->cpu_unit;
  } else if (strncmp(device, "sim", 3) == 0) {
    /* The sim runs the CPU code on one thread, copying nothing. */
    r->batch_ns = 2e3;
    r->task_ns = bi->cpu_task;
    r->unit_ns = r->lane_ns = bi->cpu_unit;
  } else {
    r->batch_ns = 60e3; /* allocation, copies' latency, launches, sync */
    r->byte_ns = 0.1;   /* 10 GB/s through pinned staging */
    r->task_ns = bi->gpu_task;
    r->unit_ns = bi->gpu_unit;
    r->lane_ns = bi->gpu_lane;
  }
}

double as__model_entry_scale(const as_model_entry *e) {
  if (!e->n_ratios) return 1;
  double v[AS_MODEL_WINDOW];
  memcpy(v, e->ratios, e->n_ratios * sizeof *v);
  double m = as__median(v, e->n_ratios);
  return m < 1.0 / 64 ? 1.0 / 64 : m > 64 ? 64 : m;
}

/* ---- rates ---- */

void as__model_rates_in(as_model_store *s, const as_kernel *k,
                        const char *device, as_rates *r) {
  const as_model_entry *e = as__model_find(s, k->name, k->version, device);
  if (e) {
    *r = e->r;
    r->scale = as__model_entry_scale(e);
  } else {
    defaults_for(k, device, r);
  }
}

void as__model_rates(const as_kernel *k, const char *device, as_rates *r) {
  as__model_rates_in(as__model_lock(), k, device, r);
  as__model_unlock();
}

const char *as__model_source_in(as_model_store *s, const as_kernel *k,
                                const char *device) {
  const as_model_entry *e = as__model_find(s, k->name, k->version, device);
  return !e ? "defaults" : e->r.calibrated ? "profile" : "learned";
}

const char *as__model_source(const as_kernel *k, const char *device) {
  const char *src = as__model_source_in(as__model_lock(), k, device);
  as__model_unlock();
  return src;
}

/* ---- predictions ---- */

double as__predict_cpu(const as_rates *r, const as_shape *s, int threads) {
  double all =
      (r->task_ns * (double)s->n + r->unit_ns * (double)s->work) * r->scale;
  if (threads <= 1 || s->n <= 1) return all;
  double longest = (r->task_ns + r->unit_ns * (double)s->max_work) * r->scale;
  double spread = all / (threads * r->eff);
  return r->batch_ns + (spread > longest ? spread : longest);
}

/* The chunks of the batch when each fills at most the scheduler's share of
 * the free memory. */
static double chunks_for(const as_shape *s, double mem) {
  const double budget = mem / AS_SCHED_CHUNK_MEM_DIVISOR;
  double c = mem > 0 ? ceil((double)s->bytes / budget) : 1;
  return c < 1 ? 1 : c;
}

double as__predict_gpu(const as_rates *r, const as_shape *s, double mem) {
  double all = r->task_ns * (double)s->n + r->unit_ns * (double)s->work;
  double longest = r->task_ns + r->lane_ns * (double)s->max_work;
  return chunks_for(s, mem) * r->batch_ns + r->byte_ns * (double)s->bytes +
         (all > longest ? all : longest) * r->scale;
}

double as__predict_hybrid(const as_rates *cpu, const as_rates *gpu,
                          const as_shape *s, int threads, double mem,
                          double *share) {
  *share = 0;
  if (threads < 2 || s->n < 2) return INFINITY;
  const int tc = threads - 1; /* one thread drives the GPU */
  double c0 = tc > 1 ? cpu->batch_ns : 0;
  double cw = (cpu->task_ns * (double)s->n + cpu->unit_ns * (double)s->work) *
              cpu->scale / (tc > 1 ? tc * cpu->eff : 1);
  double gw = (gpu->task_ns * (double)s->n + gpu->unit_ns * (double)s->work) *
                  gpu->scale +
              gpu->byte_ns * (double)s->bytes;
  /* The equalising share (schedule.h), then the GPU's claims: each
   * AS_SCHED_SHARE_CLAIMED of its share of what is left, down to about a
   * CPU range (n / (16 x threads) tasks), so about 2 + log2 of its share in
   * ranges; or one a chunk when there are more. */
  const double ranges = (double)AS_SCHED_RANGES_PER_THREAD * tc;
  double f = 0, g0 = 0;
  for (int pass = 0; pass < 2; pass++) {
    double claims = 2 + log2(f * ranges > 1 ? f * ranges : 1);
    if (claims < chunks_for(s, mem)) claims = chunks_for(s, mem);
    g0 = pass ? claims * gpu->batch_ns : 0;
    f = (c0 + cw - g0) / (gw + cw);
    if (!(f >= 0)) f = 0;
    if (f > 1) f = 1;
  }
  *share = f;
  double tg = f > 0 ? g0 + f * gw : 0, tcpu = f < 1 ? c0 + (1 - f) * cw : 0;
  /* Both sides finish together within about one task: the longest, on the
   * CPU (the slower side's finish is what a last task delays). */
  double tail =
      f < 1 ? (cpu->task_ns + cpu->unit_ns * (double)s->max_work) * cpu->scale
            : 0;
  return (tg > tcpu ? tg : tcpu) + tail;
}

/* ---- learning ---- */

static as_model_entry *entry_for(as_model_store *s, const as_kernel *k,
                                 const char *device) {
  as_model_entry *e = as__model_find(s, k->name, k->version, device);
  if (e || s->n == AS_MODEL_MAX_RATES) return e;
  e = &s->e[s->n++];
  memset(e, 0, sizeof *e);
  snprintf(e->kernel, sizeof e->kernel, "%s", k->name);
  e->version = k->version;
  snprintf(e->device, sizeof e->device, "%s", device);
  defaults_for(k, device, &e->r);
  as__model_changed(); /* its source is "learned" from now on */
  return e;
}

double as__model_scale_in(as_model_store *s, const as_kernel *k,
                          const char *device) {
  const as_model_entry *e = as__model_find(s, k->name, k->version, device);
  return e ? as__model_entry_scale(e) : 1;
}

double as__model_scale(const as_kernel *k, const char *device) {
  double scale = as__model_scale_in(as__model_lock(), k, device);
  as__model_unlock();
  return scale;
}

void as__model_learn(const as_kernel *k, const char *device, double measured_ns,
                     double unscaled_ns) {
  if (!(measured_ns >= AS_MODEL_LEARN_MIN_NS) || !(unscaled_ns > 0)) return;
  double ratio = measured_ns / unscaled_ns;
  if (!(ratio > 1e-3 && ratio < 1e3)) return; /* a clock jump, not a rate */
  as_model_entry *e = entry_for(as__model_lock(), k, device);
  if (e) {
    as__model_window_add(e->ratios, &e->n_ratios, ratio);
    as__model_window_add(e->fresh, &e->n_fresh, ratio);
    as__model_changed();
  }
  as__model_unlock();
}

void as__model_set_rates(const as_kernel *k, const char *device,
                         const as_rates *r) {
  as_model_entry *e = entry_for(as__model_lock(), k, device);
  if (e) {
    e->r = *r;
    e->r.scale = 1;
    e->n_ratios = e->n_fresh = 0; /* old ratios were against old rates */
    e->replaced = 1;
    as__model_changed();
  }
  as__model_unlock();
}
