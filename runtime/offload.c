/* GPU and hybrid execution with lossless fallback. One thread drives the
 * GPU chunk by chunk while the others take small ranges from the CPU's
 * queue; whatever the GPU could not finish goes to the CPU afterwards. Every
 * task ends up in exactly one of: a chunk the GPU completed, a range a CPU
 * thread claimed, or the GPU's unfinished remainder. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <omp.h>

#include <accelstrat/error.h>

#include "gpu/gpu.h"
#include "internal.h"
#include "schedule.h"

typedef struct offload {
  const as_executor *ex;
  const as_gpu_backend *be;
  const as_batch *b;
  as_report *rep;
  size_t chunk_cap; /* tasks per chunk at most; halved on out-of-memory */
  int64_t chunk;    /* index of the next chunk (attempt) */
  size_t gpu_done;  /* tasks the GPU completed */
  size_t left_lo, left_hi; /* the GPU's unfinished tasks, for the CPU */
  int pending_event;       /* event whose switch time is still to be taken */
  uint64_t classified_at;
  atomic_int error; /* first error that fails the batch */
} offload;

/* The longest chunk from begin (at most up to limit, at least one task)
 * that fits in budget bytes: footprint grows with end, so bisect. */
static size_t chunk_end(const as_batch *b, size_t begin, size_t limit,
                        size_t budget) {
  size_t lo = begin + 1, hi = limit;
  if (as_batch_device_bytes(b, begin, hi) <= budget) return hi;
  while (lo < hi) {
    size_t mid = lo + (hi - lo + 1) / 2;
    if (as_batch_device_bytes(b, begin, mid) <= budget)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

static as_event_cause cause_of(int rc) {
  return rc == AS_EGPU_OOM      ? AS_EVENT_GPU_OOM
         : rc == AS_EGPU_DRIVER ? AS_EVENT_GPU_DRIVER_ERROR
                                : AS_EVENT_GPU_UNAVAILABLE;
}

/* Runs [begin, end) on the GPU; returns the first task it did not finish
 * (end when it finished them all). */
static size_t gpu_range(offload *o, size_t begin, size_t end) {
  const as_batch *b = o->b;
  size_t at = begin;
  while (at < end && !atomic_load(&o->error)) {
    size_t free_bytes = 0, total = 0;
    o->be->mem_info(&free_bytes, &total);
    size_t limit = end - at < o->chunk_cap ? end : at + o->chunk_cap;
    size_t hi = chunk_end(b, at, limit, as__chunk_budget(free_bytes));
    char detail[128] = "";
    int64_t chunk = o->chunk++;
    uint64_t started = as__now_ns();
    int rc = as__gpu_run_chunk(o->be, o->ex->inject, o->ex->inject_chunk, chunk,
                               b, at, hi, detail, sizeof detail);
    uint64_t detected = as__now_ns();
    if (rc == 0) {
      o->gpu_done += hi - at;
      at = hi;
      continue;
    }
    if (rc != AS_EGPU_OOM && rc != AS_EGPU_DRIVER &&
        rc != AS_EGPU_UNAVAILABLE) {
      /* the kernel's own error: the CPU would fail the same */
      as__first_error(&o->error, rc);
      return at;
    }
    if (rc == AS_EGPU_OOM && hi - at > 1) { /* retry the same tasks, smaller */
      o->chunk_cap = (hi - at) / 2;
      char msg[160];
      snprintf(msg, sizeof msg, "%.100s; retrying with %zu tasks", detail,
               o->chunk_cap);
      as__report_event(o->rep, AS_EVENT_GPU_OOM, chunk, 0, detected - started,
                       msg);
      continue;
    }
    if (rc != AS_EGPU_OOM) as__gpu_mark_dead(detail);
    if (!o->ex->cfg.fallback) {
      snprintf(o->rep->reason, sizeof o->rep->reason,
               "%s at chunk %lld (%.80s) and fallback=off",
               as_event_cause_name(cause_of(rc)), (long long)chunk, detail);
      as__first_error(&o->error, rc);
      return at;
    }
    as_event *e = as__report_event(o->rep, cause_of(rc), chunk, end - at,
                                   detected - started, detail);
    o->pending_event = e ? (int)(e - o->rep->events) : -1;
    o->classified_at = as__now_ns();
    return at;
  }
  return at;
}

/* The first task after which fraction F of the batch's work is done. */
static size_t split_by_work(const as_batch *b, double fraction, uint64_t work) {
  if (fraction >= 1) return b->n;
  double target = fraction * (double)work, sum = 0;
  size_t i = 0;
  for (; i < b->n && sum < target; i++)
    sum += b->kernel->cost ? (double)b->kernel->cost(b, i) : 1.0;
  return i;
}

/* CPU work from the shared queue until it is empty or the batch failed. */
static void cpu_worker(offload *o, atomic_size_t *next, size_t range) {
  const as_batch *b = o->b;
  while (!atomic_load(&o->error)) {
    size_t lo = atomic_fetch_add(next, range);
    if (lo >= b->n) break;
    size_t hi = lo + range < b->n ? lo + range : b->n;
    as__first_error(&o->error, b->kernel->cpu(b, lo, hi));
  }
}

int as__offload_run(const as_executor *ex, const as_gpu_backend *be,
                    as_strategy strategy, const as_batch *b, int threads,
                    as_report *rep) {
  offload o = {ex, be, b, rep, SIZE_MAX, 0, 0, 0, 0, -1, 0, 0};
  const int dynamic = strategy.kind == AS_STRATEGY_HYBRID;
  const int cpu_threads = threads > 1 ? threads - 1 : 1;
  const size_t range = as__cpu_range_size(b->n, cpu_threads);
  /* The GPU's first part: everything (gpu), the work fraction (hybrid:F),
   * or its first claim on the shared queue, taken before the CPU threads
   * start so that they cannot empty the queue while the GPU wakes up. */
  size_t gpu_end = b->n;
  if (strategy.kind == AS_STRATEGY_HYBRID_STATIC)
    gpu_end = split_by_work(b, strategy.gpu_fraction, rep->work);
  else if (dynamic && as__hybrid_claim(b->n, 0, range) < b->n)
    gpu_end = as__hybrid_claim(b->n, 0, range);
  atomic_size_t next = gpu_end;
  /* A GPU-only run needs no CPU threads unless the GPU fails. */
  const int region = strategy.kind == AS_STRATEGY_GPU ? 1 : threads;

  if (region > 1) as__cpu_team_started();
#pragma omp parallel num_threads(region)
  {
    if (omp_get_thread_num() == 0) { /* the thread that drives the GPU */
      size_t lo = 0, hi = gpu_end;
      for (;;) {
        size_t stopped = gpu_range(&o, lo, hi);
        if (stopped < hi) {
          o.left_lo = stopped;
          o.left_hi = hi;
          break;
        }
        if (!dynamic) break;
        size_t want = as__hybrid_claim(b->n, atomic_load(&next), range);
        lo = atomic_fetch_add(&next, want);
        if (lo >= b->n) break;
        hi = lo + want < b->n ? lo + want : b->n;
      }
    }
    cpu_worker(&o, &next, range); /* the driver joins once its part is done */
  }

  int rc = atomic_load(&o.error);
  if (!rc && o.left_lo < o.left_hi) {
    if (o.pending_event >= 0)
      rep->events[o.pending_event].switch_ns = as__now_ns() - o.classified_at;
    rc = as__cpu_run(b, o.left_lo, o.left_hi, threads);
  }
  rep->tasks_on[AS_DEVICE_GPU] = o.gpu_done;
  rep->tasks_on[AS_DEVICE_CPU] = rc ? 0 : b->n - o.gpu_done;
  return rc;
}
