/* GPU strategies on the sim backend: for every strategy, injected fault and
 * batch size, outputs equal the CPU's, every task test_runs exactly once, the
 * devices' task counts add up and the events say what happened; with
 * fallback=off the same faults give the documented errors. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <accelstrat/accelstrat.h>

#include "gpu/gpu.h"
#include "registry.h"
#include "test_hash_kernel.h"
#include "test_util.h"

static const char *const strategies[] = {"gpu", "hybrid", "hybrid:0.3",
                                         "hybrid:0.7", "auto"};
static const char *const faults[] = {
    "none",      "gpu-unavailable",    "gpu-oom@0",
    "gpu-oom@2", "gpu-driver-error@0", "gpu-driver-error@2"};
static const size_t sizes[] = {0, 1, 7, 1000};

static int run_case(const ragged *d, const char *strategy, const char *fault,
                    int fallback, uint64_t *out, as_report *rep) {
  /* Each case starts from a live sim: a driver error kills it for the
   * process. 16 KiB of device memory makes 1000 tasks several chunks. */
  as__gpu_reset();
  setenv("ACCELSTRAT_GPU", "sim", 1);
  setenv("ACCELSTRAT_SIM", "memory=16K", 1);
  as_config cfg;
  as_config_defaults(&cfg);
  char err[256];
  as_fault planted;
  long at;
  if (as_config_set(&cfg, "strategy", strategy, err, sizeof err) < 0 ||
      as_fault_parse(fault, &planted, &at) < 0) {
    TEST_FAIL("%s %s: %s", strategy, fault, err);
    return AS_EINVAL;
  }
  cfg.fallback = fallback;
  as_executor *ex;
  CHECK_INT_EQ(as_executor_create(&cfg, &ex), 0);
  CHECK_INT_EQ(as_executor_inject(ex, planted, at), 0);
  as_batch b = {&hash_kernel, d->n, d->data, d->offsets, NULL, 0, out};
  int rc = as_run(ex, &b, rep);
  as_executor_destroy(ex);
  return rc;
}

static void check_events(const as_report *rep, const char *strategy,
                         const char *fault, size_t n) {
  int gpu_asked = strcmp(strategy, "auto") != 0;
  for (unsigned e = 0; e < rep->n_events; e++) {
    const as_event *ev = &rep->events[e];
    if (strstr(fault, "oom")) {
      CHECK_INT_EQ(ev->cause, AS_EVENT_GPU_OOM);
      CHECK_INT_EQ(ev->chunk, fault[8] - '0');
    } else if (strstr(fault, "driver")) {
      CHECK_INT_EQ(ev->cause, AS_EVENT_GPU_DRIVER_ERROR);
      CHECK_INT_EQ(ev->chunk, fault[17] - '0');
      CHECK(ev->tasks_moved > 0);
    } else if (strcmp(fault, "gpu-unavailable") == 0) {
      CHECK_INT_EQ(ev->cause, AS_EVENT_GPU_UNAVAILABLE);
      CHECK_EQ(ev->tasks_moved, n);
    } else {
      TEST_FAIL("event %u without a fault (%s)", e, strategy);
    }
  }
  if (strcmp(fault, "gpu-unavailable") == 0)
    CHECK_EQ(rep->n_events, gpu_asked && n > 0 ? 1 : 0);
  /* The GPU-only strategy always tries chunk 0 when there is a task. */
  if (strcmp(strategy, "gpu") == 0 && n > 0 && strstr(fault, "@0"))
    CHECK_EQ(rep->n_events, 1);
  if (strcmp(fault, "none") == 0 && strcmp(strategy, "auto") != 0 && n > 0)
    CHECK(rep->tasks_on[AS_DEVICE_GPU] > 0);
  if (strcmp(strategy, "gpu") == 0 && n == 1000) {
    /* 16 KiB of sim memory holds about 50 tasks: many chunks, so faults
     * at chunk 2 happen, and without one the GPU does everything. */
    if (strcmp(fault, "none") == 0) CHECK_EQ(rep->tasks_on[AS_DEVICE_GPU], n);
    if (strstr(fault, "@2")) CHECK_EQ(rep->n_events, 1);
    if (strcmp(fault, "gpu-oom@2") == 0)
      CHECK_EQ(rep->tasks_on[AS_DEVICE_GPU], n);
    if (strcmp(fault, "gpu-driver-error@2") == 0) {
      CHECK(rep->tasks_on[AS_DEVICE_GPU] > 0); /* chunks 0 and 1 are kept */
      CHECK_EQ(rep->tasks_on[AS_DEVICE_GPU] + rep->events[0].tasks_moved, n);
    }
  }
  if (strcmp(strategy, "auto") == 0 && n > 0) {
    /* auto takes the fastest prediction (test_model checks the
     * predictions themselves), and a GPU choice uses the GPU. */
    const uint64_t *p = rep->predicted_ns;
    as_strategy_kind best = AS_STRATEGY_CPU;
    uint64_t t = p[AS_PREDICT_CPU];
    if (p[AS_PREDICT_GPU] && p[AS_PREDICT_GPU] < t)
      best = AS_STRATEGY_GPU, t = p[AS_PREDICT_GPU];
    if (p[AS_PREDICT_HYBRID] && p[AS_PREDICT_HYBRID] < t)
      best = AS_STRATEGY_HYBRID;
    if (strcmp(fault, "gpu-unavailable") == 0) best = AS_STRATEGY_CPU;
    CHECK_MSG(rep->chosen.kind == best,
              "auto chose %d, predictions say %d (%s)", rep->chosen.kind, best,
              rep->reason);
    if (best != AS_STRATEGY_CPU && strcmp(fault, "none") == 0)
      CHECK(rep->tasks_on[AS_DEVICE_GPU] > 0);
  }
}

static void matrix(test_rng *rng) {
  unsigned cases = 0;
  for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
    ragged d = make_ragged(rng, sizes[s]);
    uint64_t *out = calloc(d.n + 1, sizeof *out);
    test_runs = calloc(d.n + 1, sizeof *test_runs);
    for (size_t st = 0; st < sizeof strategies / sizeof *strategies; st++) {
      for (size_t f = 0; f < sizeof faults / sizeof *faults; f++) {
        memset(out, 0, (d.n + 1) * sizeof *out);
        for (size_t i = 0; i < d.n; i++) atomic_store(&test_runs[i], 0);
        as_report rep;
        int rc = run_case(&d, strategies[st], faults[f], 1, out, &rep);
        cases++;
        if (rc != 0) {
          TEST_FAIL("n=%zu %s %s: %s (%s)", d.n, strategies[st], faults[f],
                    as_strerror(rc), rep.reason);
          continue;
        }
        if (memcmp(out, d.expect, d.n * sizeof *out) != 0)
          TEST_FAIL("n=%zu %s %s: outputs differ from the CPU's", d.n,
                    strategies[st], faults[f]);
        for (size_t i = 0; i < d.n; i++)
          if (atomic_load(&test_runs[i]) != 1)
            TEST_FAIL("n=%zu %s %s: task %zu ran %u times", d.n, strategies[st],
                      faults[f], i, atomic_load(&test_runs[i]));
        CHECK_EQ(rep.tasks_on[AS_DEVICE_CPU] + rep.tasks_on[AS_DEVICE_GPU],
                 d.n);
        check_events(&rep, strategies[st], faults[f], d.n);
      }
    }
    free(out), free(test_runs), free_ragged(&d);
  }
  printf("%u strategy x fault x size cases\n", cases);
}

/* fallback=off turns the faults into the errors that name them. */
static void fallback_off(test_rng *rng) {
  ragged d = make_ragged(rng, 1000);
  uint64_t *out = calloc(d.n, sizeof *out);
  test_runs = calloc(d.n, sizeof *test_runs);
  as_report rep;
  CHECK_INT_EQ(run_case(&d, "gpu", "gpu-unavailable", 0, out, &rep),
               AS_EGPU_UNAVAILABLE);
  CHECK_INT_EQ(run_case(&d, "hybrid:0.5", "gpu-driver-error@0", 0, out, &rep),
               AS_EGPU_DRIVER);
  CHECK(strstr(rep.reason, "gpu-driver-error at chunk 0") != NULL);
  CHECK_INT_EQ(run_case(&d, "gpu", "gpu-driver-error@2", 0, out, &rep),
               AS_EGPU_DRIVER);
  /* An out-of-memory answered by a smaller chunk is no failure. */
  CHECK_INT_EQ(run_case(&d, "gpu", "gpu-oom@1", 0, out, &rep), 0);
  CHECK(memcmp(out, d.expect, d.n * sizeof *out) == 0);
  CHECK_INT_EQ(run_case(&d, "auto", "gpu-unavailable", 0, out, &rep), 0);
  free(out), free(test_runs), free_ragged(&d);
}

/* Real out-of-memory on the sim: one task larger than the device goes to
 * the CPU after halving down to one task. */
static void real_oom_floor(void) {
  size_t n = 4;
  uint64_t offsets[] = {0, 10, 20, 40000, 40010};
  unsigned char *data = calloc(40010, 1);
  uint64_t expect[4], out[4];
  test_runs = calloc(n, sizeof *test_runs);
  as_batch ref = {&hash_kernel, n, data, offsets, NULL, 0, expect};
  hash_cpu(&ref, 0, n);
  ragged d = {n, data, offsets, expect};
  for (size_t i = 0; i < n; i++) atomic_store(&test_runs[i], 0);
  as_report rep;
  CHECK_INT_EQ(run_case(&d, "gpu", "none", 1, out, &rep), 0);
  CHECK(memcmp(out, expect, sizeof out) == 0);
  for (size_t i = 0; i < n; i++) CHECK_EQ(atomic_load(&test_runs[i]), 1);
  CHECK(rep.n_events >= 1);
  CHECK_INT_EQ(rep.events[rep.n_events - 1].cause, AS_EVENT_GPU_OOM);
  CHECK(rep.events[rep.n_events - 1].tasks_moved > 0);
  CHECK(rep.tasks_on[AS_DEVICE_GPU] >= 2); /* the small ones fit */
  CHECK_INT_EQ(run_case(&d, "gpu", "none", 0, out, &rep), AS_EGPU_OOM);
  free(test_runs), free(data);
}

/* After a driver error the GPU stays dead for the process. */
static void driver_error_is_sticky(test_rng *rng) {
  ragged d = make_ragged(rng, 100);
  uint64_t *out = calloc(d.n, sizeof *out);
  test_runs = calloc(d.n, sizeof *test_runs);
  as_report rep;
  CHECK_INT_EQ(run_case(&d, "gpu", "gpu-driver-error@0", 1, out, &rep), 0);
  as_config cfg;
  as_config_defaults(&cfg);
  cfg.strategy.kind = AS_STRATEGY_GPU;
  as_executor *ex;
  CHECK_INT_EQ(as_executor_create(&cfg, &ex), 0);
  as_batch b = {&hash_kernel, d.n, d.data, d.offsets, NULL, 0, out};
  CHECK_INT_EQ(as_run(ex, &b, &rep), 0); /* no reset: still dead */
  CHECK_EQ(rep.n_events, 1);
  CHECK_INT_EQ(rep.events[0].cause, AS_EVENT_GPU_UNAVAILABLE);
  CHECK(strstr(rep.events[0].detail, "dead after a driver error") != NULL);
  CHECK(memcmp(out, d.expect, d.n * sizeof *out) == 0);
  as_executor_destroy(ex);
  free(out), free(test_runs), free_ragged(&d);
}

/* A kernel of one's own has no GPU version on the sim either, whatever its
 * unread reserved slot holds (1: code that set the has_gpu it replaced): gpu
 * and hybrid fall back to the CPU saying so, auto does not consider the
 * GPU, and every task runs once. */
static void own_kernel_stays_on_cpu(test_rng *rng) {
  static const char *const strategies[] = {"gpu", "hybrid", "auto"};
  as_kernel mine = {"test-mine", 1, sizeof(uint64_t), hash_cost, hash_cpu, 0};
  ragged d = make_ragged(rng, 200);
  uint64_t *out = calloc(d.n, sizeof *out);
  test_runs = calloc(d.n, sizeof *test_runs);
  for (size_t c = 0; c < 2 * sizeof strategies / sizeof *strategies; c++) {
    const size_t s = c / 2;
    mine.reserved = (int)(c % 2);
    as__gpu_reset();
    setenv("ACCELSTRAT_GPU", "sim", 1);
    as_config cfg;
    as_config_defaults(&cfg);
    CHECK_INT_EQ(as_strategy_parse(strategies[s], &cfg.strategy), 0);
    as_executor *ex;
    CHECK_INT_EQ(as_executor_create(&cfg, &ex), 0);
    for (size_t i = 0; i < d.n; i++) atomic_store(&test_runs[i], 0);
    as_batch b = {&mine, d.n, d.data, d.offsets, NULL, 0, out};
    as_report rep;
    CHECK_INT_EQ(as_run(ex, &b, &rep), 0);
    CHECK(memcmp(out, d.expect, d.n * sizeof *out) == 0);
    for (size_t i = 0; i < d.n; i++) CHECK_EQ(atomic_load(&test_runs[i]), 1);
    CHECK_EQ(rep.tasks_on[AS_DEVICE_GPU], 0);
    CHECK_MSG(strstr(rep.reason, "kernel has no GPU entry") != NULL, "%s: %s",
              strategies[s], rep.reason);
    int asked = strcmp(strategies[s], "auto") != 0;
    CHECK_EQ(rep.n_events, asked ? 1 : 0);
    if (asked && rep.n_events) {
      CHECK_INT_EQ(rep.events[0].cause, AS_EVENT_GPU_UNAVAILABLE);
      CHECK(strstr(rep.events[0].detail, "kernel has no GPU entry") != NULL);
    }
    as_executor_destroy(ex);
  }
  free(out), free(test_runs), free_ragged(&d);
}

/* ACCELSTRAT_SIM's values in their ranges, else refused with a message
 * that names the item and what is wrong (before: memory=nan was a float
 * to integer overflow, startup=1e300 overflowed and hung). */
static void sim_settings(void) {
  static const struct {
    const char *value, *says;
  } bad[] = {
      {"memory=nan", "memory=nan: not a size from 0 to 1P"},
      {"memory=inf", "memory=inf: not a size"},
      {"memory=1e309", "memory=1e309: not a size"},
      {"memory=2000000G", "memory=2000000G: not a size from 0 to 1P"},
      {"memory=-1K", "memory=-1K: not a size"},
      {"startup=1e300", "startup=1e300: not milliseconds from 0 to 60000"},
      {"speed=2", "speed=2: not a number with 0 < speed <= 1"},
      {"speed=nan", "speed=nan: not a number"},
      {"memroy=1M", "unknown item 'memroy' (did you mean 'memory'?)"},
      {"startu", "'startu' is not KEY=VALUE"},
  };
  setenv("ACCELSTRAT_GPU", "sim", 1);
  alarm(20); /* a hang fails the test */
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    setenv("ACCELSTRAT_SIM", bad[i].value, 1);
    as__gpu_reset();
    const char *why = "";
    int status;
    CHECK_MSG(as__gpu_get(NULL, &why, &status) == NULL, "%s accepted",
              bad[i].value);
    CHECK_MSG(strstr(why, bad[i].says) != NULL, "%s: '%s'", bad[i].value, why);
  }
  setenv("ACCELSTRAT_SIM", "memory=1P,speed=0.25,startup=0", 1);
  as__gpu_reset();
  as_gpu_info info;
  const char *why = "";
  int status;
  CHECK_MSG(as__gpu_get(&info, &why, &status) != NULL, "refused: %s", why);
  CHECK(info.total_mem == (size_t)1 << 50);
  alarm(0);
  unsetenv("ACCELSTRAT_SIM");
  as__gpu_reset();
}

/* A slot that cannot be taken (here the slot directory is a plain file)
 * keeps the GPU from the process as all slots held would: never used
 * anyway, each batch says why in its event. */
static void unusable_slot(void) {
  char file[] = "/tmp/test_offload_slots.XXXXXX";
  int fd = mkstemp(file);
  CHECK(fd >= 0);
  if (fd >= 0) close(fd);
  setenv("ACCELSTRAT_GPU", "sim", 1);
  setenv("ACCELSTRAT_GPU_SLOT_DIR", file, 1);
  as__gpu_reset();
  const char *why = "";
  int status = 0;
  CHECK(as__gpu_get(NULL, &why, &status) == NULL);
  CHECK_INT_EQ(status, AS_EGPU_BUSY);
  CHECK_MSG(strstr(why, "GPU slot unusable") && strstr(why, "not a directory"),
            "why: %s", why);
  as_config cfg;
  as_config_defaults(&cfg);
  CHECK(as_strategy_parse("gpu", &cfg.strategy) == 0);
  as_executor *ex = NULL;
  CHECK_INT_EQ(as_executor_create(&cfg, &ex), 0);
  uint32_t in[4] = {1, 2, 3, 4};
  uint64_t offsets[5] = {0, 4, 8, 12, 16}, out[4];
  as_batch b = {&hash_kernel, 4, in, offsets, NULL, 0, out};
  as_report rep;
  CHECK_INT_EQ(as_run(ex, &b, &rep), 0);
  CHECK_MSG(rep.n_events == 1 && rep.events[0].cause == AS_EVENT_GPU_BUSY,
            "%u events, reason: %s", rep.n_events, rep.reason);
  CHECK_EQ(rep.tasks_on[AS_DEVICE_CPU], 4);
  as_executor_destroy(ex);
  unsetenv("ACCELSTRAT_GPU_SLOT_DIR");
  unlink(file);
  as__gpu_reset();
}

/* A hybrid asked for on two threads runs on two: one drives the GPU and
 * one takes the CPU's part, however small the batch. */
static void hybrid_has_its_threads(test_rng *rng) {
  setenv("ACCELSTRAT_GPU", "sim", 1);
  as__gpu_reset();
  for (int k = 0; k < 2; k++) {
    as_config cfg;
    as_config_defaults(&cfg);
    cfg.threads = 2;
    CHECK(as_strategy_parse(k ? "hybrid:0.5" : "hybrid", &cfg.strategy) == 0);
    as_executor *ex;
    CHECK_INT_EQ(as_executor_create(&cfg, &ex), 0);
    ragged r = make_ragged(rng, 4);
    uint64_t out[4];
    as_batch b = {&hash_kernel, 4, r.data, r.offsets, NULL, 0, out};
    as_report rep;
    CHECK_INT_EQ(as_run(ex, &b, &rep), 0);
    CHECK_MSG(rep.threads == 2 || rep.thread_limit < 2,
              "%s: %d threads of %d; %s", k ? "hybrid:0.5" : "hybrid",
              rep.threads, rep.thread_limit, rep.reason);
    CHECK(memcmp(out, r.expect, sizeof out) == 0);
    free_ragged(&r);
    as_executor_destroy(ex);
  }
}

int main(void) {
  test_rng rng = {test_seed()};
  sim_settings();
  hybrid_has_its_threads(&rng);
  unusable_slot();
  as__kernel_test_gpu(&hash_kernel); /* the sim runs it */
  matrix(&rng);
  fallback_off(&rng);
  real_oom_floor();
  driver_error_is_sticky(&rng);
  own_kernel_stays_on_cpu(&rng);
  return test_finish("test_offload");
}
