#include <accelstrat/error.h>
#include <accelstrat/executor.h>
#include <accelstrat/profile.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/alloc.h"
#include "gpu/gpu.h"
#include "reason.h"
#include "settings.h"
#include "internal.h"
#include "registry.h"
#include "model.h"

int as_executor_create(const as_config *cfg, as_executor **out) {
  if (!out) return AS_EINVAL;
  *out = NULL;
  as_executor *ex = as__calloc(1, sizeof *ex);
  if (!ex) return AS_ENOMEM;
  if (cfg) {
    ex->cfg = *cfg;
  } else if (as_config_init(&ex->cfg, NULL, 0) < 0) {
    as__free(ex);
    return AS_EINVAL;
  }
  const char *inject = as__setting_env(AS_SETTING_INJECT);
  if (inject && as_fault_parse(inject, &ex->inject, &ex->inject_chunk) < 0) {
    as__free(ex);
    return AS_EINVAL;
  }
  as_capabilities_detect(&ex->caps);
  /* A malformed MAKEFLAGS leaves no jobserver: nothing to share out. */
  as__jobserver_open(&ex->js);
  as__model_cpu_key(ex->cpu_key, sizeof ex->cpu_key);
  *out = ex;
  return 0;
}

void as_executor_destroy(as_executor *ex) {
  if (!ex) return;
  as__jobserver_close(&ex->js);
  as_profile_save(); /* what its runs taught the model; best effort */
  as__free(ex);
}

const as_capabilities *as_executor_capabilities(const as_executor *ex) {
  return &ex->caps;
}

const as_config *as_executor_config(const as_executor *ex) { return &ex->cfg; }

int as_executor_inject(as_executor *ex, as_fault fault, long chunk) {
  if (!ex || fault < AS_FAULT_NONE || fault > AS_FAULT_GPU_DRIVER_ERROR ||
      chunk < 0)
    return AS_EINVAL;
  ex->inject = fault;
  ex->inject_chunk = chunk;
  return 0;
}

/* Checks the batch's shape and measures it for the model in one pass over
 * the tasks. */
static int validate_and_measure(const as_batch *b, as_shape *s) {
  const as_kernel *k = b->kernel;
  if (!k || !k->cpu || !k->name) return AS_EINVAL;
  if (b->n && k->out_size && !b->out) return AS_EINVAL;
  if (b->offsets && b->n && !b->data && b->offsets[b->n] != b->offsets[0])
    return AS_EINVAL;
  uint64_t total = 0, most = 0;
  /* A cost function may read a task's header (align does): fetch the
   * headers a few tasks ahead, or every one is a cache miss. */
  enum { AHEAD = 16 };
  const int fetch = b->offsets && b->data && k->cost;
  for (size_t i = 0; i < b->n; i++) {
    if (fetch && i + AHEAD < b->n)
      __builtin_prefetch((const char *)b->data + b->offsets[i + AHEAD]);
    if (b->offsets && b->offsets[i + 1] < b->offsets[i]) return AS_EINVAL;
    uint64_t c = k->cost ? k->cost(b, i) : 1;
    total += c;
    if (c > most) most = c;
  }
  s->n = b->n;
  s->work = total;
  s->max_work = most;
  s->bytes = b->n ? as_batch_device_bytes(b, 0, b->n) : 0;
  return 0;
}

/* What the model says of k, from the executor's snapshot while it is still
 * true (model/snapshot.h). */
static const as_model_snapshot *model_for(as_executor *ex, const as_kernel *k) {
  if (!as__model_snapshot_valid(&ex->model, k))
    as__model_snapshot_take(&ex->model, k, ex->cpu_key);
  return &ex->model;
}

/* The first OpenMP team's start, while this process has not run one and a
 * run on `threads` threads would (the snapshot's, taken for this batch). */
static double team_cold_ns(const as_executor *ex, int threads) {
  return threads > 1 && !as__cpu_team_up() ? ex->model.team_start_ns : 0;
}

/* The CPU's prediction, the first team's start included. */
static double cpu_ns(const as_executor *ex, const as_rates *r,
                     const as_shape *s, int threads) {
  return as__predict_cpu(r, s, threads) + team_cold_ns(ex, threads);
}

static uint64_t to_u64(double ns) {
  return isfinite(ns) && ns > 0 ? (uint64_t)(ns < 1.8e19 ? ns : 1.8e19) : 0;
}

/* Whether k can run on the GPU: the registry says whether it has a GPU
 * version (the snapshot's yes, taken for k, stays true); the backend, once
 * there is one, whether its build runs it. */
static int runs_kernel(const as_executor *ex, const as_gpu_backend *be,
                       const as_kernel *k) {
  const int known = ex->model.kernel == k && ex->model.kernel_gpu;
  return (known || as__kernel_has_gpu(k)) && (!be || be->has_kernel(k));
}

/* src into dst (len > 0), cut to fit: a decision's copies, without the
 * formatting code a cold snprintf brings into the caches. */
static void copy_text(char *dst, size_t len, const char *src) {
  size_t i = 0;
  for (; src[i] && i + 1 < len; i++) dst[i] = src[i];
  dst[i] = '\0';
}

/* The capabilities of the GPU a probe found (be NULL: none). */
static void note_caps(as_executor *ex, const as_gpu_backend *be,
                      const as_gpu_info *info) {
  ex->caps.gpu_count = be ? info->devices : 0;
  copy_text(ex->caps.gpu_backend, sizeof ex->caps.gpu_backend,
            be ? be->name : "none");
  copy_text(ex->caps.gpu_name, sizeof ex->caps.gpu_name, be ? info->name : "");
  copy_text(ex->caps.gpu_driver, sizeof ex->caps.gpu_driver,
            be ? info->driver : "");
  ex->caps.gpu_simulated = be ? info->is_simulated : 0;
}

/* Why the GPU cannot take k: one place for every check, in the order each
 * caller has always made them. wake 0 (auto, before its predictions): what
 * is known without waking the GPU, the kernel checked first; NULL and why
 * NULL when it may be usable. wake 1: probes the GPU; its backend, or NULL
 * with the reason in why and AS_EGPU_BUSY or AS_EGPU_UNAVAILABLE in
 * status. */
static const as_gpu_backend *usable_gpu(as_executor *ex, const as_kernel *k,
                                        int wake, const char **why,
                                        int *status) {
  static const char no_entry[] = "kernel has no GPU entry";
  *status = AS_EGPU_UNAVAILABLE;
  *why = NULL;
  if (!wake) as__gpu_view_update(&ex->gpu);
  if (!wake && !runs_kernel(ex, NULL, k))
    *why = no_entry;
  else if (ex->inject == AS_FAULT_GPU_UNAVAILABLE)
    *why = "injected gpu-unavailable";
  else if (!wake && ex->gpu.state < 0)
    *why = ex->gpu.why; /* known unusable: its reason (a probe with
                           ACCELSTRAT_GPU=off says that) */
  else if (!wake && strcmp(ex->gpu.choice, "off") == 0)
    *why = "ACCELSTRAT_GPU=off";
  if (*why || !wake) return NULL;
  as_gpu_info info;
  const as_gpu_backend *be = as__gpu_get(&info, why, status);
  note_caps(ex, be, &info);
  if (be && !runs_kernel(ex, be, k)) {
    *why = no_entry;
    *status = AS_EGPU_UNAVAILABLE;
    return NULL;
  }
  return be;
}

/* A choice in the making (choose): what its steps share. */
typedef struct choice {
  as_executor *ex;
  const as_batch *b;
  const as_shape *s;
  const as_rates *cpu;
  as_report *rep;
  int threads;
  double cpu_ns; /* the CPU's prediction */
  as_strategy chosen;
  const as_gpu_backend *be;
  as_reason *reason; /* written out after the run (reason.h) */
} choice;

static const as_strategy cpu_only = {AS_STRATEGY_CPU, 0};

/* The reason of the choice, kind k with why copied; returns 0. */
static int say(choice *c, as_reason_kind k, const char *why) {
  as_reason *r = c->reason;
  r->kind = k;
  r->threads = c->threads;
  r->cpu_ns = c->cpu_ns;
  r->model = c->rep->model;
  if (why) copy_text(r->why, sizeof r->why, why);
  return 0;
}

/* What the model predicts for the GPU strategies: gpu and hybrid, cold
 * start included while the GPU is not up. */
typedef struct gpu_guess {
  double gpu_ns, hybrid_ns, share, cold_ns;
} gpu_guess;

static void record(as_report *rep, double cpu, const gpu_guess *g) {
  rep->predicted_ns[AS_PREDICT_CPU] = to_u64(cpu);
  if (!g) return;
  rep->predicted_ns[AS_PREDICT_GPU] = to_u64(g->gpu_ns);
  rep->predicted_ns[AS_PREDICT_HYBRID] = to_u64(g->hybrid_ns);
  rep->predicted_gpu_share = g->share;
}

/* The model's predictions for the GPU strategies, into g and the report. */
static void guess_gpu(const choice *c, gpu_guess *g) {
  as_gpu_view *v = &c->ex->gpu;
  as__gpu_view_update(v);
  const as_model_gpu_side *m =
      as__model_snapshot_gpu(&c->ex->model, c->b->kernel, c->ex->cpu_key,
                             v->choice, v->state == 1, v->key);
  g->cold_ns = m->start_ns;
  g->gpu_ns = as__predict_gpu(&m->rates, c->s, m->mem) + g->cold_ns;
  g->hybrid_ns = as__predict_hybrid(c->cpu, &m->rates, c->s, c->threads, m->mem,
                                    &g->share) *
                     m->hybrid_scale +
                 g->cold_ns + team_cold_ns(c->ex, c->threads);
  record(c->rep, c->cpu_ns, g);
}

static void note_gpu(as_report *rep, const as_gpu_backend *be,
                     as_executor *ex) {
  as__gpu_view_update(&ex->gpu);
  rep->gpu_slot = ex->gpu.slot;
  rep->gpu_slots = ex->gpu.slots;
  /* "BACKEND: NAME", at most 15 and 45 characters of each */
  char *at = rep->gpu;
  copy_text(at, 16, be->name);
  at += strlen(at);
  copy_text(at, 3, ": ");
  copy_text(at + 2, 46, ex->caps.gpu_name);
}

/* Auto's last step, the GPU awake: the fastest of the three. */
static int pick_fastest(choice *c, const gpu_guess *g) {
  double best = c->cpu_ns;
  c->chosen = cpu_only;
  if (g->gpu_ns < best)
    best = g->gpu_ns, c->chosen = (as_strategy){AS_STRATEGY_GPU, 0};
  if (g->hybrid_ns < best) c->chosen = (as_strategy){AS_STRATEGY_HYBRID, 0};
  if (c->chosen.kind == AS_STRATEGY_CPU) c->be = NULL;
  c->reason->strategy = as_strategy_kind_name(c->chosen.kind);
  c->reason->gpu_ns = g->gpu_ns;
  c->reason->hybrid_ns = g->hybrid_ns;
  c->reason->share = g->share;
  return say(c, AS_REASON_AUTO_FASTEST, NULL);
}

/* auto: the CPU unless the model predicts a GPU strategy faster and the GPU
 * wakes. */
static int choose_auto(choice *c) {
  const char *why;
  int status;
  gpu_guess g;
  c->chosen = cpu_only;
  usable_gpu(c->ex, c->b->kernel, 0, &why, &status);
  if (why) return say(c, AS_REASON_AUTO_NO_GPU, why);
  guess_gpu(c, &g);
  /* The GPU is not even woken when its context costs more than it saves. */
  if (c->cpu_ns <= g.gpu_ns && c->cpu_ns <= g.hybrid_ns) {
    c->reason->hybrid_ns = g.hybrid_ns;
    c->reason->gpu_ns = g.gpu_ns;
    c->reason->cold_ns = g.cold_ns;
    return say(c, AS_REASON_AUTO_CPU, NULL);
  }
  c->be = usable_gpu(c->ex, c->b->kernel, 1, &why, &status);
  if (!c->be) {
    c->reason->state = status == AS_EGPU_BUSY ? "busy" : "unusable";
    return say(c, AS_REASON_AUTO_REFUSED, why);
  }
  note_gpu(c->rep, c->be, c->ex);
  if (g.cold_ns > 0)
    guess_gpu(c, &g); /* just woken: the cold start is paid now */
  return pick_fastest(c, &g);
}

/* gpu, hybrid or hybrid:F, as asked: on the GPU, else on the CPU as
 * fallback= allows; AS_EGPU_BUSY or AS_EGPU_UNAVAILABLE when refused. */
static int choose_asked(choice *c) {
  c->reason->asked = c->ex->cfg.strategy;
  const char *why;
  int status;
  const uint64_t probe = as__now_ns();
  c->be = usable_gpu(c->ex, c->b->kernel, 1, &why, &status);
  const uint64_t detected = as__now_ns();
  if (c->be) {
    gpu_guess g;
    note_gpu(c->rep, c->be, c->ex);
    guess_gpu(c, &g);
    c->reason->backend = c->be->name;
    c->reason->gpu_name = c->ex->caps.gpu_name;
    return say(c, AS_REASON_ASKED_GPU, NULL);
  }
  const int busy = status == AS_EGPU_BUSY;
  c->reason->state = busy ? "busy" : "unavailable";
  if (!c->ex->cfg.fallback) {
    say(c, AS_REASON_ASKED_OFF, why);
    return busy ? AS_EGPU_BUSY
                : AS_EGPU_UNAVAILABLE; /* refused, not replaced */
  }
  c->chosen = cpu_only;
  say(c, AS_REASON_ASKED_FALLBACK, why);
  as_event *e = as__report_event(
      c->rep, busy ? AS_EVENT_GPU_BUSY : AS_EVENT_GPU_UNAVAILABLE, -1, c->b->n,
      detected - probe, why);
  if (e) e->switch_ns = as__now_ns() - detected;
  return 0;
}

/* Chooses where b runs and says why in rep; *be is the GPU backend when the
 * choice uses one. Returns 0, or AS_EGPU_UNAVAILABLE / AS_EGPU_BUSY when a
 * GPU was required (fallback=off) and there is none. */
static int choose(as_executor *ex, const as_batch *b, const as_shape *s,
                  int threads, const as_rates *cpu, as_report *rep,
                  as_reason *reason, as_strategy *chosen,
                  const as_gpu_backend **be) {
  choice c = {ex, b, s, cpu, rep, threads, 0, ex->cfg.strategy, NULL, reason};
  int rc = 0;
  copy_text(rep->model, sizeof rep->model, ex->model.source);
  if (b->n == 0) { /* nothing to run needs no device, and cannot fail one */
    c.chosen = cpu_only;
    say(&c, AS_REASON_EMPTY, NULL);
  } else {
    c.cpu_ns = cpu_ns(ex, cpu, s, threads);
    record(rep, c.cpu_ns, NULL);
    if (c.chosen.kind == AS_STRATEGY_CPU)
      say(&c, AS_REASON_CPU_ASKED, NULL);
    else
      rc = c.chosen.kind == AS_STRATEGY_AUTO ? choose_auto(&c)
                                             : choose_asked(&c);
  }
  *chosen = c.chosen;
  *be = c.be;
  return rc;
}

/* Whether the thread count is left to the load average: neither threads=
 * nor a jobserver decides. */
static int wants_load(const as_executor *ex) {
  return ex->cfg.threads == 0 && ex->js.kind == AS_JOBSERVER_NONE;
}

/* The load average, read again when older than max_age_ns at now: a
 * system call, some 10 us with the caches cold after a long batch, for a
 * value the kernel updates every 5 s. */
static void refresh_load(as_executor *ex, uint64_t now, uint64_t max_age_ns) {
  if (ex->load_at && now - ex->load_at <= max_age_ns) return;
  if (getloadavg(&ex->load, 1) != 1) ex->load = -1;
  ex->load_at = now;
}

/* A decision reads it at most a second old. */
#define LOAD_MAX_AGE_NS 1000000000u

/* On the first thread of a run with nothing left to take (as__cpu_run_idle):
 * the next decision's value, read while the others finish, once the
 * value is half its age limit. */
static void refresh_load_idle(void *ex) {
  refresh_load(ex, as__now_ns(), LOAD_MAX_AGE_NS / 2);
}

/* Threads for this run, which started at now: the resources' limit, more
 * than one only when the model says they pay, and beyond the first only
 * with a jobserver token each. tokens[] gets what was taken, to be given
 * back. */
static int take_threads(as_executor *ex, uint64_t now, const as_shape *s,
                        const as_rates *cpu, as_report *rep,
                        as_thread_bound *bound, unsigned char *tokens,
                        int *taken) {
  const int named = ex->js.kind != AS_JOBSERVER_NONE;
  if (wants_load(ex)) refresh_load(ex, now, LOAD_MAX_AGE_NS);
  const double load = wants_load(ex) ? ex->load : -1;
  int limit = as__thread_bound(&ex->caps, ex->cfg.threads, named, load, bound);
  if ((size_t)limit > s->n) {
    limit = bound->limit = s->n ? (int)s->n : 1;
    bound->by = AS_BOUND_TASKS;
  }
  int want = limit > 1 && cpu_ns(ex, cpu, s, limit) < cpu_ns(ex, cpu, s, 1)
                 ? limit
                 : 1;
  /* A hybrid asked for has a thread to drive the GPU and one for the CPU's
   * part, whatever the CPU's model says of more threads. */
  const as_strategy_kind k = ex->cfg.strategy.kind;
  if ((k == AS_STRATEGY_HYBRID || k == AS_STRATEGY_HYBRID_STATIC) && want < 2 &&
      limit >= 2)
    want = 2;
  *taken = 0;
  if (named) {
    if (want > 1 && ex->js.reachable)
      *taken = as__jobserver_acquire(&ex->js, want - 1 < 255 ? want - 1 : 255,
                                     tokens);
    rep->jobserver_tokens = 1 + *taken; /* make counts us for one already */
    if (1 + *taken < limit) {
      limit = bound->limit = 1 + *taken;
      bound->by = ex->js.reachable ? AS_BOUND_JOBSERVER
                                   : AS_BOUND_JOBSERVER_UNREACHABLE;
    }
    if (want > limit) want = limit;
  }
  rep->thread_limit = limit;
  return want;
}

/* Teaches the model what a plain CPU or GPU run took; team_cold is the
 * first team's start when the run had to pay it. */
static void learn(const as_executor *ex, const as_batch *b, const as_shape *s,
                  const as_report *rep, int threads, double team_cold) {
  if (rep->error || rep->n_events || !s->n) return;
  as_rates r;
  char key[96];
  if (rep->chosen.kind == AS_STRATEGY_CPU) {
    as__model_rates(b->kernel, ex->cpu_key, &r);
    r.scale = 1;
    as__model_learn(b->kernel, ex->cpu_key, (double)rep->exec_ns,
                    as__predict_cpu(&r, s, threads) + team_cold);
  } else if (rep->chosen.kind == AS_STRATEGY_GPU &&
             as__gpu_peek(key, sizeof key, NULL, NULL) == 1) {
    as__model_rates(b->kernel, key, &r);
    r.scale = 1;
    as__model_learn(
        b->kernel, key, (double)rep->exec_ns,
        as__predict_gpu(&r, s, as__model_gpu_mem(as__gpu_choice(), key)));
  } else if (rep->chosen.kind == AS_STRATEGY_HYBRID &&
             as__gpu_peek(key, sizeof key, NULL, NULL) == 1) {
    /* What the two devices' rates do not explain: the split's imbalance,
     * the devices slowing each other down. */
    as_rates c, g;
    double share;
    as__model_rates(b->kernel, ex->cpu_key, &c);
    as__model_rates(b->kernel, key, &g);
    char hkey[104];
    as__model_hybrid_key(key, hkey, sizeof hkey);
    as__model_learn(b->kernel, hkey, (double)rep->exec_ns,
                    as__predict_hybrid(&c, &g, s, threads,
                                       as__model_gpu_mem(as__gpu_choice(), key),
                                       &share) +
                        team_cold);
  }
}

int as_run(as_executor *ex, const as_batch *b, as_report *rep_out) {
  as_report local;
  as_report *rep = rep_out ? rep_out : &local;
  memset(rep, 0, sizeof *rep);
  rep->gpu_slot = -1;
  if (!ex || !b) return rep->error = AS_EINVAL;
  rep->requested = ex->cfg.strategy;
  rep->tasks = b->n;
  if (b->kernel && b->kernel->name)
    snprintf(rep->kernel, sizeof rep->kernel, "%s", b->kernel->name);

  const uint64_t t0 = as__now_ns();
  /* What the decision reads of the model (and, for auto, of the GPU
   * layer) first, before the pass over a large batch's tasks has pushed
   * every page of it out of the TLB; the time counts as the decision's all
   * the same. A fixed strategy leaves the GPU layer alone until it asks
   * for the GPU: ACCELSTRAT_GPU is read once, on first use. */
  if (b->kernel) {
    model_for(ex, b->kernel);
    if (ex->cfg.strategy.kind == AS_STRATEGY_AUTO)
      as__gpu_view_update(&ex->gpu);
  }
  as_shape shape;
  const uint64_t pass = as__now_ns();
  int rc = validate_and_measure(b, &shape);
  if (rc < 0) return rep->error = rc;
  rep->work = shape.work;
  rep->check_ns = as__now_ns() - pass;

  const as_rates cpu = model_for(ex, b->kernel)->cpu; /* for this batch */
  unsigned char tokens[256];
  int taken;
  as_thread_bound bound;
  const int threads =
      take_threads(ex, t0, &shape, &cpu, rep, &bound, tokens, &taken);
  as_strategy chosen;
  const as_gpu_backend *be;
  as_reason reason = {.kind = AS_REASON_NONE};
  rc = choose(ex, b, &shape, threads, &cpu, rep, &reason, &chosen, &be);
  rep->chosen = chosen;
  const uint64_t t1 = as__now_ns();
  rep->select_ns = t1 - t0;
  const double team_cold =
      team_cold_ns(ex, threads); /* before the run starts one */
  int64_t chunks = 0;            /* GPU chunk attempts */
  if (rc == 0) {
    rep->threads = threads;
    if (chosen.kind == AS_STRATEGY_CPU) {
      rc = as__cpu_run_idle(b, 0, b->n, threads,
                            wants_load(ex) ? refresh_load_idle : NULL, ex);
      rep->tasks_on[AS_DEVICE_CPU] = rc ? 0 : b->n;
    } else {
      rc = as__offload_run(ex, be, chosen, b, threads, rep, &chunks);
    }
    rep->exec_ns = as__now_ns() - t1;
  }
  as__jobserver_release(&ex->js, tokens, taken); /* every one, on every path */
  if (!rep->reason[0]) /* the run's own failure may have said more */
    as__reason_format(&reason, rep->reason, sizeof rep->reason);
  /* Fewer threads than the limit allowed: the model's call, said. */
  if (rc == 0 && rep->threads && rep->threads < rep->thread_limit) {
    size_t at = strlen(rep->reason);
    snprintf(rep->reason + at, sizeof rep->reason - at,
             "; %d of %d threads: more predicted no faster", rep->threads,
             rep->thread_limit);
  }
  if (rc == 0) as__reason_append_run(rep, ex->inject, ex->inject_chunk, chunks);
  as__thread_bound_format(&bound, &ex->caps, ex->js.detail,
                          rep->thread_limit_by, sizeof rep->thread_limit_by);
  rep->error = rc;
  learn(ex, b, &shape, rep, threads, team_cold);
  /* What it learned is in cache now: the next decision's snapshot. */
  model_for(ex, b->kernel);
  return rc;
}
