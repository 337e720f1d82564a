#include "gpu.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <accelstrat/error.h>

#include "../internal.h"
#include "../settings.h"
#include "slots.h"
#include "support/module_path.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int probed;
static const as_gpu_backend *backend;
static as_gpu_info backend_info;
static char backend_key[96];
static as_gpu_slot slot = {-1, -1, 0, ""};
static char unusable[256];
/* What the probes found, not yet taken (as__gpu_take_report); more than
 * fit drop the oldest. */
static as_gpu_report reports[8];
static int n_reports;
/* Bumped, with the lock held, by whatever changes what as__gpu_view copies;
 * never 0, so that a zeroed view is out of date. */
static _Atomic uint64_t generation = 1;

static void changed(void) {
  atomic_fetch_add_explicit(&generation, 1, memory_order_release);
}

uint64_t as__gpu_generation(void) {
  return atomic_load_explicit(&generation, memory_order_acquire);
}

/* libaccelstrat-cuda.so where as__module_path finds it for this code (next
 * to the runtime's library), unless ACCELSTRAT_CUDA_LIBRARY names another. */
static const as_gpu_backend *load_cuda(char *why, size_t len) {
  char path[4096];
  const char *override = as__setting_env(AS_SETTING_CUDA_LIBRARY);
  /* The CUDA runtime inside our module needs the driver's library; without
   * it, say so at the cost of one failed dlopen instead of loading
   * the module (the README gives both costs, measured). The handle stays open
   * for the module. A module named explicitly may bring its own way to a
   * device. */
  if (!(override && *override) &&
      !dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL)) {
    snprintf(why, len, "cuda: no CUDA driver (libcuda.so.1 not found)");
    return NULL;
  }
  if (override && *override)
    snprintf(path, sizeof path, "%s", override);
  else
    as__module_path((const void *)&load_cuda, "libaccelstrat-cuda.so", path,
                    sizeof path);
  /* Never closed: the backend's code must outlive every executor. */
  void *module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!module) {
    snprintf(why, len, "CUDA backend not loadable: %s", dlerror());
    return NULL;
  }
  as_gpu_backend_entry_fn entry =
      (as_gpu_backend_entry_fn)dlsym(module, AS_GPU_BACKEND_ENTRY);
  const as_gpu_backend *be = entry ? entry() : NULL;
  if (!be || be->abi != AS_GPU_BACKEND_ABI) {
    snprintf(why, len, "CUDA backend %s: %s", path,
             be ? "built for another runtime version" : "entry point missing");
    return NULL;
  }
  return be;
}

/* ACCELSTRAT_GPU, or its default. */
static char choice_cache[48]; /* guarded by lock; "" until read */

/* Read once (as__gpu_reset forgets it): the environment is scanned on every
 * getenv, and selection asks for it several times per batch. */
static const char *choice_locked(void) {
  if (!choice_cache[0]) {
    const char *env = as__setting_env(AS_SETTING_GPU);
    snprintf(choice_cache, sizeof choice_cache, "%s",
             env && *env ? env : "cuda");
  }
  return choice_cache;
}

const char *as__gpu_choice(void) {
  pthread_mutex_lock(&lock);
  const char *choice = choice_locked();
  pthread_mutex_unlock(&lock);
  return choice;
}

/* The slot's device: the first of CUDA_VISIBLE_DEVICES (processes that see
 * different devices do not share their slots), else device 0. */
static void slot_key(const char *backend_name, char *buf, size_t len) {
  const char *visible = getenv("CUDA_VISIBLE_DEVICES");
  int n = visible && *visible ? (int)strcspn(visible, ",") : 0;
  snprintf(buf, len, "%s-%.*s", backend_name, n ? n : 1, n ? visible : "0");
}

void as__gpu_key(const char *backend, const char *name, const char *driver,
                 char *buf, size_t len) {
  char b[16], n[64], d[32];
  as__name_copy(b, sizeof b, backend);
  as__name_copy(n, sizeof n, name);
  as__name_copy(d, sizeof d, driver);
  snprintf(buf, len, "%s/%s/%s", b, n, d);
}

/* Called with lock held; key "" says the backend has no device. */
static void report(const char *backend_name, const char *key, double start_ns,
                   double mem) {
  const int max = (int)(sizeof reports / sizeof reports[0]);
  if (n_reports == max)
    memmove(reports, reports + 1, --n_reports * sizeof *reports);
  as_gpu_report *r = &reports[n_reports++];
  snprintf(r->backend, sizeof r->backend, "%s", backend_name);
  snprintf(r->key, sizeof r->key, "%s", key);
  r->start_ns = start_ns;
  r->mem = mem;
}

int as__gpu_take_report(as_gpu_report *r) {
  pthread_mutex_lock(&lock);
  int any = n_reports > 0;
  if (any) {
    *r = reports[0];
    memmove(reports, reports + 1, --n_reports * sizeof *reports);
  }
  pthread_mutex_unlock(&lock);
  return any;
}

/* Returns 0, or AS_EGPU_BUSY when every slot is held (nothing is cached
 * then: a slot may be free at the next batch). */
static int probe(void) {
  const char *choice = choice_locked();
  const as_gpu_backend *be = NULL;
  if (strcmp(choice, "off") == 0) {
    snprintf(unusable, sizeof unusable, "ACCELSTRAT_GPU=off");
    return 0;
  } else if (strcmp(choice, "sim") == 0) {
    be = as__gpu_sim_backend();
  } else if (strcmp(choice, "cuda") == 0) {
    be = load_cuda(unusable, sizeof unusable);
  } else {
    snprintf(unusable, sizeof unusable,
             "ACCELSTRAT_GPU=%.40s is not one of cuda|sim|off", choice);
    return 0;
  }
  if (!be) {
    report(choice, "", 0, 0);
    return 0;
  }
  char detail[224] = "", key[64];
  /* A context per process costs device memory and time slices: only
   * ACCELSTRAT_GPU_SLOTS processes hold one at once. A slot that cannot be
   * taken (a bad setting, an unusable directory or lock file) keeps the
   * GPU from this process as all slots held would: said once on stderr,
   * and as each batch's event. */
  slot_key(be->name, key, sizeof key);
  int rc = as__gpu_slot_acquire(key, &slot, detail, sizeof detail);
  if (rc < 0 && rc != AS_EGPU_BUSY) {
    static int warned;
    if (!warned++)
      fprintf(stderr,
              "warning: accelstrat: GPU slot unusable: %s; the GPU is "
              "treated as busy\n",
              detail);
    snprintf(unusable, sizeof unusable, "GPU slot unusable: %.200s", detail);
    return AS_EGPU_BUSY;
  }
  if (rc == AS_EGPU_BUSY) {
    snprintf(unusable, sizeof unusable, "%s", detail);
    return rc;
  }
  memset(&backend_info, 0, sizeof backend_info);
  const uint64_t t0 = as__now_ns();
  if (be->init(&backend_info, detail, sizeof detail) < 0) {
    snprintf(unusable, sizeof unusable, "%s: %s", be->name,
             detail[0] ? detail : "unavailable");
    as__gpu_slot_release(&slot);
    report(be->name, "", 0, 0);
    return 0;
  }
  as__gpu_key(be->name, backend_info.name, backend_info.driver, backend_key,
              sizeof backend_key);
  report(be->name, backend_key, (double)(as__now_ns() - t0),
         (double)backend_info.total_mem);
  backend = be;
  return 0;
}

const as_gpu_backend *as__gpu_get(as_gpu_info *info, const char **why,
                                  int *status) {
  pthread_mutex_lock(&lock);
  int rc = 0;
  if (!probed) {
    rc = probe();
    probed = rc == 0;
    changed();
  }
  const as_gpu_backend *be = backend;
  if (info) *info = backend_info;
  if (why) *why = unusable;
  if (status) *status = be ? 0 : rc ? rc : AS_EGPU_UNAVAILABLE;
  pthread_mutex_unlock(&lock);
  return be;
}

/* With the lock held. */
static int peek_locked(char *key, size_t len, int *slot_index, int *slots) {
  int state = !probed ? 0 : backend ? 1 : -1;
  if (state == 1) snprintf(key, len, "%s", backend_key);
  if (slot_index) *slot_index = slot.index;
  if (slots) *slots = slot.total;
  return state;
}

int as__gpu_peek(char *key, size_t len, int *slot_index, int *slots) {
  pthread_mutex_lock(&lock);
  int state = peek_locked(key, len, slot_index, slots);
  pthread_mutex_unlock(&lock);
  return state;
}

void as__gpu_view_update(as_gpu_view *v) {
  if (v->generation == as__gpu_generation()) return;
  pthread_mutex_lock(&lock);
  v->generation = as__gpu_generation(); /* moves only under the lock */
  v->key[0] = '\0';
  v->state = peek_locked(v->key, sizeof v->key, &v->slot, &v->slots);
  snprintf(v->why, sizeof v->why, "%s", unusable);
  snprintf(v->choice, sizeof v->choice, "%s", choice_locked());
  pthread_mutex_unlock(&lock);
}

void as__gpu_mark_dead(const char *why) {
  pthread_mutex_lock(&lock);
  if (backend) {
    snprintf(unusable, sizeof unusable,
             "%s: dead after a driver error (%.100s)", backend->name, why);
    backend = NULL; /* its context may be corrupt: never call it again */
    changed();
  }
  pthread_mutex_unlock(&lock);
}

int as__gpu_run_chunk(const as_gpu_backend *be, as_fault inject,
                      long inject_chunk, int64_t chunk, const as_batch *b,
                      size_t begin, size_t end, char *detail, size_t len) {
  if ((inject == AS_FAULT_GPU_OOM || inject == AS_FAULT_GPU_DRIVER_ERROR) &&
      inject_chunk == chunk) {
    snprintf(detail, len, "injected at chunk %lld", (long long)chunk);
    return inject == AS_FAULT_GPU_OOM ? AS_EGPU_OOM : AS_EGPU_DRIVER;
  }
  return be->run_chunk(b, begin, end, detail, len);
}

void as__gpu_reset(void) {
  pthread_mutex_lock(&lock);
  if (backend && backend->shutdown) backend->shutdown();
  as__gpu_slot_release(&slot);
  choice_cache[0] = '\0';
  backend = NULL;
  probed = 0;
  unusable[0] = '\0';
  changed();
  pthread_mutex_unlock(&lock);
}
