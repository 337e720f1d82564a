/* GPU and hybrid execution with lossless fallback. One thread drives the
 * GPU chunk by chunk while the others take small ranges from the CPU's
 * queue; whatever the GPU could not finish goes to the CPU afterwards. Every
 * task ends up in exactly one of: a chunk the GPU completed, a range a CPU
 * thread claimed, or the GPU's unfinished remainder. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Dynamic hybrid's balance (schedule.h): the work before each task and
 * each side's throughput, in work units per ns. */
typedef struct balance {
  const uint64_t *pre; /* pre[i]: the work of tasks [0, i); NULL: 1 a task */
  size_t n;
  int cpu_threads;
  uint64_t cpu_start_ns;
  atomic_uint_least64_t cpu_work; /* finished by the CPU threads */
  _Atomic double gpu_rate;        /* of the GPU's last claim, 0: none yet */
  atomic_int gpu_claiming;        /* 0 once the GPU stopped or failed */
  double cpu_predicted, gpu_predicted; /* the model's, 0: none */
} balance;

static double work_of(const balance *bl, size_t lo, size_t hi) {
  return bl->pre ? (double)(bl->pre[hi] - bl->pre[lo]) : (double)(hi - lo);
}

/* The first hi > lo (at most n) with the work of [lo, hi) at least w. */
static size_t tasks_for(const balance *bl, size_t lo, double w) {
  size_t a = lo + 1, z = bl->n;
  while (a < z) {
    size_t mid = a + (z - a) / 2;
    if (work_of(bl, lo, mid) >= w)
      z = mid;
    else
      a = mid + 1;
  }
  return a;
}

/* A side's throughput: measured once it has run, else the model's;
 * *measured (unless NULL) says which. */
static double cpu_rate(const balance *bl, int *measured) {
  uint64_t done = atomic_load_explicit(&bl->cpu_work, memory_order_relaxed);
  uint64_t now = as__now_ns();
  const int m = done && now > bl->cpu_start_ns;
  if (measured) *measured = m;
  return m ? (double)done / (double)(now - bl->cpu_start_ns)
           : bl->cpu_predicted;
}

static double gpu_rate(const balance *bl, int *measured) {
  double g = atomic_load_explicit(&bl->gpu_rate, memory_order_relaxed);
  if (measured) *measured = g > 0;
  return g > 0 ? g : bl->gpu_predicted;
}

/* The end of the GPU's next claim from at (at when it should stop). */
static size_t gpu_claim(const balance *bl, size_t at, size_t range) {
  if (at >= bl->n) return at;
  int gm, cm;
  const double g = gpu_rate(bl, &gm), c = cpu_rate(bl, &cm);
  if (!(g > 0 && c > 0)) { /* no rates: a share of the tasks */
    size_t want = as__hybrid_claim(bl->n, at, range);
    return bl->n - at < want ? bl->n : at + want;
  }
  /* Its thread does more as one of the CPU's. */
  if (gm && cm && as__gpu_worth_its_thread(g, c, bl->cpu_threads) == 0)
    return at;
  const double share = as__fair_share(work_of(bl, at, bl->n), g, g + c);
  if (!as__worth_claiming(share, work_of(bl, at, at + 1))) return at;
  double w = AS_SCHED_SHARE_CLAIMED * share;
  const size_t r = bl->n - at < range ? bl->n : at + range;
  const double least = work_of(bl, at, r) < share ? work_of(bl, at, r) : share;
  return tasks_for(bl, at, w > least ? w : least);
}

/* The end of a CPU thread's next range from at (at when it should leave
 * the rest to the GPU); drain: take it whatever the GPU could do. */
static size_t cpu_claim(const balance *bl, size_t at, size_t range, int drain) {
  if (at >= bl->n) return at;
  /* Guided among the CPU threads and the driver, at most a range. */
  size_t size = as__guided_range(bl->n - at, bl->cpu_threads + 1);
  const size_t hi = at + (size > range ? range : size);
  const double g = gpu_rate(bl, NULL), c = cpu_rate(bl, NULL);
  if (!(g > 0 && c > 0) ||
      !atomic_load_explicit(&bl->gpu_claiming, memory_order_relaxed))
    return hi;
  const double share =
      as__fair_share(work_of(bl, at, bl->n), c / bl->cpu_threads, g + c);
  if (!drain && !as__worth_claiming(share, work_of(bl, at, at + 1))) return at;
  size_t capped = tasks_for(bl, at, AS_SCHED_SHARE_CLAIMED * share);
  return capped < hi ? capped : hi;
}

/* CPU work from the shared queue until it is empty (or, with a balance
 * and no drain, until the GPU would finish the rest sooner) or the batch
 * failed. */
static void cpu_worker(offload *o, atomic_size_t *next, size_t range,
                       balance *bl, int drain) {
  const as_batch *b = o->b;
  while (!atomic_load(&o->error)) {
    size_t lo = atomic_load_explicit(next, memory_order_relaxed), hi;
    do {
      if (lo >= b->n) return;
      hi = bl ? cpu_claim(bl, lo, range, drain)
              : (b->n - lo < range ? b->n : lo + range);
      if (hi == lo) return; /* the GPU's */
    } while (!atomic_compare_exchange_weak_explicit(
        next, &lo, hi, memory_order_relaxed, memory_order_relaxed));
    as__first_error(&o->error, b->kernel->cpu(b, lo, hi));
    if (bl)
      atomic_fetch_add_explicit(&bl->cpu_work, (uint64_t)work_of(bl, lo, hi),
                                memory_order_relaxed);
  }
}

/* The GPU's part of a dynamic hybrid run, claim by claim from the shared
 * queue; its first claim [0, first) is taken. */
static void gpu_driver(offload *o, atomic_size_t *next, size_t first,
                       size_t range, balance *bl) {
  size_t lo = 0, hi = first;
  while (lo < hi) {
    const uint64_t t = as__now_ns();
    size_t stopped = gpu_range(o, lo, hi);
    const uint64_t dt = as__now_ns() - t;
    if (stopped < hi) {
      o->left_lo = stopped;
      o->left_hi = hi;
      break;
    }
    if (dt) atomic_store(&bl->gpu_rate, work_of(bl, lo, hi) / (double)dt);
    lo = atomic_load_explicit(next, memory_order_relaxed);
    do {
      hi = gpu_claim(bl, lo, range);
    } while (hi > lo &&
             !atomic_compare_exchange_weak_explicit(
                 next, &lo, hi, memory_order_relaxed, memory_order_relaxed));
    if (hi <= lo) break;
  }
  atomic_store(&bl->gpu_claiming, 0);
}

/* The GPU's first claim, before either side has run: what the model's
 * rates say, at most AS_SCHED_FIRST_CLAIM of the work, at least a task
 * (hybrid was asked for). */
static size_t first_claim(const balance *bl, size_t range) {
  size_t end = gpu_claim(bl, 0, range);
  size_t cap = tasks_for(bl, 0, AS_SCHED_FIRST_CLAIM * work_of(bl, 0, bl->n));
  end = end < cap ? end : cap;
  return end > 0 ? end : 1;
}

/* The prefix sums of the batch's work and the model's throughputs. */
static void balance_init(balance *bl, const as_batch *b, const as_report *rep,
                         int threads, int cpu_threads, uint64_t *pre) {
  bl->pre = pre;
  bl->n = b->n;
  bl->cpu_threads = cpu_threads;
  if (pre) {
    pre[0] = 0;
    for (size_t i = 0; i < b->n; i++)
      pre[i + 1] = pre[i] + (b->kernel->cost ? b->kernel->cost(b, i) : 1);
  }
  const double work = work_of(bl, 0, b->n);
  const uint64_t pc = rep->predicted_ns[AS_PREDICT_CPU],
                 pg = rep->predicted_ns[AS_PREDICT_GPU];
  bl->cpu_predicted = pc ? work / (double)pc * cpu_threads / threads : 0;
  bl->gpu_predicted = pg ? work / (double)pg : 0;
  atomic_init(&bl->cpu_work, 0);
  atomic_init(&bl->gpu_rate, 0);
  atomic_init(&bl->gpu_claiming, 1);
}

int as__offload_run(const as_executor *ex, const as_gpu_backend *be,
                    as_strategy strategy, const as_batch *b, int threads,
                    as_report *rep, int64_t *chunks) {
  offload o = {ex, be, b, rep, SIZE_MAX, 0, 0, 0, 0, -1, 0, 0};
  const int dynamic = strategy.kind == AS_STRATEGY_HYBRID;
  const int cpu_threads = threads > 1 ? threads - 1 : 1;
  const size_t range = as__cpu_range_size(b->n, cpu_threads);
  balance bl;
  uint64_t *pre = NULL;
  if (dynamic) {
    pre = malloc((b->n + 1) * sizeof *pre); /* NULL: tasks, not work */
    balance_init(&bl, b, rep, threads, cpu_threads, pre);
  }
  /* The GPU's first part: everything (gpu), the work fraction (hybrid:F),
   * or its first claim on the shared queue, taken before the CPU threads
   * start so that they cannot empty the queue while the GPU wakes up. */
  size_t gpu_end = b->n;
  if (strategy.kind == AS_STRATEGY_HYBRID_STATIC)
    gpu_end = split_by_work(b, strategy.gpu_fraction, rep->work);
  else if (dynamic && b->n)
    gpu_end = first_claim(&bl, range);
  atomic_size_t next = gpu_end;
  /* A GPU-only run needs no CPU threads unless the GPU fails. */
  const int region = strategy.kind == AS_STRATEGY_GPU ? 1 : threads;

  if (region > 1) as__cpu_team_started();
  if (dynamic) bl.cpu_start_ns = as__now_ns();
#pragma omp parallel num_threads(region)
  {
    if (omp_get_thread_num() == 0) { /* the thread that drives the GPU */
      if (dynamic) {
        gpu_driver(&o, &next, gpu_end, range, &bl);
      } else {
        size_t stopped = gpu_range(&o, 0, gpu_end);
        o.left_lo = stopped;
        o.left_hi = gpu_end;
      }
    }
    /* The driver joins once its part is done, and takes what is left. */
    cpu_worker(&o, &next, range, dynamic ? &bl : NULL,
               omp_get_thread_num() == 0);
  }

  int rc = atomic_load(&o.error);
  if (!rc && o.left_lo < o.left_hi) {
    if (o.pending_event >= 0)
      rep->events[o.pending_event].switch_ns = as__now_ns() - o.classified_at;
    rc = as__cpu_run(b, o.left_lo, o.left_hi, threads);
  }
  free(pre);
  rep->tasks_on[AS_DEVICE_GPU] = o.gpu_done;
  rep->tasks_on[AS_DEVICE_CPU] = rc ? 0 : b->n - o.gpu_done;
  *chunks = o.chunk;
  return rc;
}
