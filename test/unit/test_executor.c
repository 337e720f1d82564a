/* as_run(): every task exactly once, outputs independent of strategy and
 * thread count on fresh random inputs, fallback recorded or refused, errors
 * propagated, bad batches rejected. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <accelstrat/accelstrat.h>

#include "test_hash_kernel.h"
#include "test_util.h"

static as_executor *make_executor(const char *strategy, int threads,
                                  int fallback) {
  as_config cfg;
  as_config_defaults(&cfg);
  if (as_strategy_parse(strategy, &cfg.strategy) < 0) return NULL;
  cfg.threads = threads;
  cfg.fallback = fallback;
  as_executor *ex = NULL;
  CHECK_INT_EQ(as_executor_create(&cfg, &ex), 0);
  return ex;
}

static void same_outputs_every_strategy_and_thread_count(test_rng *rng) {
  static const size_t sizes[] = {0, 1, 7, 1000};
  static const char *const strategies[] = {
      "cpu", "auto", "gpu", "hybrid", "hybrid:0.3", "hybrid:0.7"};
  static const int thread_counts[] = {1, 2, 3, 7, 0};
  for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
    ragged r = make_ragged(rng, sizes[s]);
    uint64_t *expect = r.expect;
    uint64_t *got = calloc(r.n + 1, sizeof *got);
    test_runs = calloc(r.n + 1, sizeof *test_runs);
    as_batch b = {&hash_kernel, r.n, r.data, r.offsets, NULL, 0, got};
    for (size_t st = 0; st < sizeof strategies / sizeof *strategies; st++) {
      for (size_t t = 0; t < sizeof thread_counts / sizeof *thread_counts;
           t++) {
        as_executor *ex = make_executor(strategies[st], thread_counts[t], 1);
        memset(got, 0, (r.n + 1) * sizeof *got);
        for (size_t i = 0; i < r.n; i++) atomic_store(&test_runs[i], 0);
        b.out = got;
        as_report rep;
        CHECK_INT_EQ(as_run(ex, &b, &rep), 0);
        if (memcmp(got, expect, r.n * sizeof *got) != 0)
          TEST_FAIL("outputs differ: n=%zu strategy=%s threads=%d", r.n,
                    strategies[st], thread_counts[t]);
        for (size_t i = 0; i < r.n; i++)
          if (atomic_load(&test_runs[i]) != 1)
            TEST_FAIL("task %zu ran %u times (n=%zu %s)", i,
                      atomic_load(&test_runs[i]), r.n, strategies[st]);
        CHECK_EQ(rep.tasks, r.n);
        CHECK_EQ(rep.tasks_on[AS_DEVICE_CPU], r.n);
        CHECK_EQ(rep.tasks_on[AS_DEVICE_GPU], 0);
        CHECK_INT_EQ(rep.chosen.kind, AS_STRATEGY_CPU);
        CHECK(rep.threads >= 1);
        CHECK(rep.threads <= as_executor_capabilities(ex)->usable_cpus);
        if (thread_counts[t] > 0) CHECK(rep.threads <= thread_counts[t]);
        if (r.n) CHECK((size_t)rep.threads <= r.n);
        /* 1000 tasks must really run on several threads when allowed to:
         * an explicit count is allowed up to the CPUs; without one, the
         * load average may leave fewer (and says so). */
        CHECK(rep.threads <= rep.thread_limit);
        if (thread_counts[t] > 1 && r.n > 1 &&
            as_executor_capabilities(ex)->usable_cpus > 1)
          CHECK_MSG(rep.thread_limit > 1, "limit %d (%s)", rep.thread_limit,
                    rep.thread_limit_by);
        if (r.n == 1000 && thread_counts[t] != 1 && rep.thread_limit > 1)
          CHECK(rep.threads > 1);
        CHECK(rep.reason[0] != '\0');
        /* Only an explicit GPU request for some work is a fallback; auto
         * simply chooses, and an empty batch needs no device. */
        int gpu_asked = strcmp(strategies[st], "cpu") &&
                        strcmp(strategies[st], "auto") && r.n > 0;
        CHECK_EQ(rep.n_events, gpu_asked ? 1 : 0);
        if (gpu_asked) {
          CHECK_INT_EQ(rep.events[0].cause, AS_EVENT_GPU_UNAVAILABLE);
          CHECK_EQ(rep.events[0].tasks_moved, r.n);
          CHECK_INT_EQ(rep.events[0].chunk, -1);
        }
        as_executor_destroy(ex);
      }
    }
    free(got), free(test_runs), free_ragged(&r);
    test_runs = NULL;
  }
}

static void fallback_off_refuses_without_running(test_rng *rng) {
  static const char *const strategies[] = {"gpu", "hybrid", "hybrid:0.5"};
  ragged r = make_ragged(rng, 50);
  uint64_t out[50];
  test_runs = calloc(r.n, sizeof *test_runs);
  for (size_t st = 0; st < 3; st++) {
    as_executor *ex = make_executor(strategies[st], 0, 0);
    as_batch b = {&hash_kernel, r.n, r.data, r.offsets, NULL, 0, out};
    as_report rep;
    CHECK_INT_EQ(as_run(ex, &b, &rep), AS_EGPU_UNAVAILABLE);
    CHECK_INT_EQ(rep.error, AS_EGPU_UNAVAILABLE);
    CHECK(strstr(rep.reason, "fallback=off") != NULL);
    CHECK_EQ(rep.tasks_on[AS_DEVICE_CPU], 0);
    as_executor_destroy(ex);
  }
  for (size_t i = 0; i < r.n; i++) CHECK_EQ(atomic_load(&test_runs[i]), 0);
  /* An empty batch needs no device, so it cannot fail for want of one. */
  as_executor *ex = make_executor("gpu", 0, 0);
  as_batch empty = {&hash_kernel, 0, NULL, NULL, NULL, 0, NULL};
  as_report rep;
  CHECK_INT_EQ(as_run(ex, &empty, &rep), 0);
  CHECK_EQ(rep.n_events, 0);
  as_executor_destroy(ex);
  free(test_runs), free_ragged(&r);
  test_runs = NULL;
}

static void kernel_errors_propagate(test_rng *rng) {
  ragged r = make_ragged(rng, 200);
  uint64_t out[200];
  as_executor *ex = make_executor("cpu", 2, 1);
  as_batch b = {&hash_kernel, r.n, r.data, r.offsets, NULL, 0, out};
  as_report rep;
  test_fail_at = 123;
  CHECK_INT_EQ(as_run(ex, &b, &rep), AS_EKERNEL);
  CHECK_INT_EQ(rep.error, AS_EKERNEL);
  test_fail_at = SIZE_MAX;
  CHECK_INT_EQ(as_run(ex, &b, &rep), 0);
  as_executor_destroy(ex);
  free_ragged(&r);
}

static void bad_batches_are_rejected(void) {
  as_executor *ex = make_executor("cpu", 0, 1);
  uint64_t out[4];
  unsigned char data[8] = {0};
  uint64_t backwards[] = {0, 4, 2, 8};
  as_report rep;
  as_batch no_kernel = {NULL, 3, data, backwards, NULL, 0, out};
  CHECK_INT_EQ(as_run(ex, &no_kernel, &rep), AS_EINVAL);
  as_batch no_out = {&hash_kernel, 3, data, NULL, NULL, 0, NULL};
  CHECK_INT_EQ(as_run(ex, &no_out, &rep), AS_EINVAL);
  as_batch decreasing = {&hash_kernel, 3, data, backwards, NULL, 0, out};
  CHECK_INT_EQ(as_run(ex, &decreasing, &rep), AS_EINVAL);
  as_kernel no_cpu = hash_kernel;
  no_cpu.cpu = NULL;
  as_batch cpu_missing = {&no_cpu, 1, data, NULL, NULL, 0, out};
  CHECK_INT_EQ(as_run(ex, &cpu_missing, &rep), AS_EINVAL);
  CHECK_INT_EQ(as_run(NULL, &no_out, &rep), AS_EINVAL);
  CHECK_INT_EQ(as_executor_create(NULL, NULL), AS_EINVAL);
  as_executor_destroy(ex);
}

static void report_serialises(test_rng *rng) {
  ragged r = make_ragged(rng, 10);
  uint64_t out[10];
  as_executor *ex = make_executor("gpu", 0, 1);
  as_batch b = {&hash_kernel, r.n, r.data, r.offsets, NULL, 0, out};
  as_report rep;
  CHECK_INT_EQ(as_run(ex, &b, &rep), 0);
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  CHECK_INT_EQ(as_report_write_json(&rep, mem), 0);
  fclose(mem);
  CHECK(strstr(text, "\"kernel\":\"test-hash\"") != NULL);
  CHECK(strstr(text, "\"requested\":\"gpu\",\"chosen\":\"cpu\"") != NULL);
  CHECK(strstr(text, "\"cause\":\"gpu-unavailable\"") != NULL);
  CHECK(strstr(text, "\"tasks_moved\":10") != NULL);
  CHECK(strstr(text, "\"error\":null") != NULL);
  free(text);
  as_executor_destroy(ex);
  free_ragged(&r);
}

/* The record's thread figures agree with one another and say why: a run
 * on fewer threads than its limit says so in its reason, a batch of fewer
 * tasks than threads names the tasks as its limit. */
static void thread_figures_explain_themselves(test_rng *rng) {
  as_config cfg;
  as_config_defaults(&cfg);
  cfg.threads = 2;
  CHECK(as_strategy_parse("cpu", &cfg.strategy) == 0);
  as_executor *ex;
  CHECK_INT_EQ(as_executor_create(&cfg, &ex), 0);
  ragged one = make_ragged(rng, 1);
  uint64_t out[2];
  as_batch b = {&hash_kernel, 1, one.data, one.offsets, NULL, 0, out};
  as_report rep;
  CHECK_INT_EQ(as_run(ex, &b, &rep), 0);
  CHECK_INT_EQ(rep.thread_limit, 1);
  CHECK_MSG(strcmp(rep.thread_limit_by, "tasks 1") == 0, "limit by '%s'",
            rep.thread_limit_by);
  CHECK_INT_EQ(rep.threads, 1);
  free_ragged(&one);
  /* two tiny tasks: the model keeps them on one of the two threads */
  ragged two = make_ragged(rng, 2);
  b = (as_batch){&hash_kernel, 2, two.data, two.offsets, NULL, 0, out};
  CHECK_INT_EQ(as_run(ex, &b, &rep), 0);
  if (rep.threads < rep.thread_limit)
    CHECK_MSG(strstr(rep.reason, "1 of 2 threads: more predicted no faster"),
              "reason: %s", rep.reason);
  else
    CHECK(!strstr(rep.reason, "of 2 threads"));
  free_ragged(&two);
  as_executor_destroy(ex);
}

int main(void) {
  test_rng rng = {test_seed()};
  thread_figures_explain_themselves(&rng);
  same_outputs_every_strategy_and_thread_count(&rng);
  fallback_off_refuses_without_running(&rng);
  kernel_errors_propagate(&rng);
  bad_batches_are_rejected();
  report_serialises(&rng);
  return test_finish("test_executor");
}
