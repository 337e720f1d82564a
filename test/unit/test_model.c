/* The cost model and its profile: predictions, the online update's
 * robustness, the file's round trip, corrupt / foreign / other-version files
 * (ignored with one warning, then replaced), processes saving at once,
 * auto-selection driven by the profile on the sim backend, and an
 * executor's decisions following the model and the GPU layer as they
 * change. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <accelstrat/accelstrat.h>

#include "gpu/gpu.h"
#include "registry.h"
#include "model.h"
#include "support/stats.h"
#include "synth.h"
#include "test_util.h"

static char dir[256], file[300];
static char cpu[96];

static void write_text(const char *text, size_t len) {
  FILE *f = fopen(file, "w");
  fwrite(text, 1, len, f);
  fclose(f);
}

static int near(double a, double b) {
  return fabs(a - b) <= 1e-4 * fabs(b) + 1e-9;
}

/* The shape the executor predicts b's run from (its pass over the tasks). */
static as_shape shape_of(const as_batch *b) {
  as_shape sh = {b->n, 0, 0, 0};
  for (size_t i = 0; i < b->n; i++) {
    uint64_t c = b->kernel->cost(b, i);
    sh.work += c;
    if (c > sh.max_work) sh.max_work = c;
  }
  return sh;
}

static const as_rates sample_rates = {1500, 2500, 0.5, 0.5, 0, 0.8, 1, 1};

static void test_predictions(void) {
  as_rates c = {20e3, 100, 1.0, 1.0, 0, 0.9, 1, 0};
  as_shape s = {1000, 1000000, 1000, 0};
  /* one thread: all the work; several: spread plus the team's start */
  CHECK(near(as__predict_cpu(&c, &s, 1), 100 * 1000 + 1e6));
  CHECK(near(as__predict_cpu(&c, &s, 4), 20e3 + (1.1e6) / (4 * 0.9)));
  /* one huge task bounds the parallel time */
  as_shape skew = {2, 1000000, 999999, 0};
  CHECK(as__predict_cpu(&c, &skew, 8) >= 100 + 999999.0);
  /* the scale (the online update) multiplies the work */
  as_rates c2 = c;
  c2.scale = 2;
  CHECK(near(as__predict_cpu(&c2, &s, 1), 2 * (100 * 1000 + 1e6)));
  /* GPU: chunks by memory, bytes, and a task's own parallelism */
  as_rates g = {50e3, 10, 0.01, 0.5, 0.1, 1, 1, 0};
  as_shape sb = {1000, 1000000, 1000, 4000000};
  CHECK(near(as__predict_gpu(&g, &sb, 8e9),
             50e3 + 0.1 * 4e6 + 10 * 1000 + 0.01 * 1e6));
  CHECK(near(as__predict_gpu(&g, &sb, 2e6),
             4 * 50e3 + 0.1 * 4e6 + 10 * 1000 + 0.01 * 1e6));
  as_shape one = {1, 1000000, 1000000, 0};
  CHECK(as__predict_gpu(&g, &one, 8e9) >= 0.5 * 1e6);
  /* hybrid: with equal devices and 3 threads (2 on the CPU side), the GPU
   * share equalises both sides */
  as_rates e = {0, 0, 1, 1, 0, 1, 1, 0};
  double share;
  double h = as__predict_hybrid(&e, &e, &s, 3, 8e9, &share);
  CHECK_MSG(near(share, 1.0 / 3), "share %.4f", share);
  /* plus the tail: the longest task, on the CPU */
  CHECK_MSG(near(h, 1e6 / 3 + 1000), "hybrid %.1f", h);
  /* a GPU 1000x slower gets the share that equalises, however small */
  as_rates slow = e;
  slow.unit_ns = 1000;
  as__predict_hybrid(&e, &slow, &s, 3, 8e9, &share);
  CHECK_MSG(near(share, 5e5 / (1e9 + 5e5)), "share %.6f", share);
  /* the GPU's claims cost a launch each: fewer than the CPU side's ranges */
  as_rates launch = e;
  launch.batch_ns = 1000;
  double h1 = as__predict_hybrid(&e, &launch, &s, 3, 8e9, &share);
  CHECK_MSG(h1 > h && h1 < h + 32 * 1000, "hybrid with launches %.1f", h1);
  CHECK(isinf(as__predict_hybrid(&e, &e, &s, 1, 8e9, &share)));
}

static void test_round_trip(void) {
  unlink(file);
  as__model_reset();
  as_rates r;
  as__model_rates(&as_kernel_align, cpu, &r);
  CHECK_INT_EQ(r.calibrated, 0);
  CHECK(strcmp(as__model_source(&as_kernel_align, cpu), "defaults") == 0);
  as__model_set_rates(&as_kernel_align, cpu, &sample_rates);
  as__model_note_gpu("sim", "sim/test/1", 5e6, 1e9);
  double ratios[] = {1.5, 0.9, 1.2};
  for (int i = 0; i < 3; i++)
    as__model_learn(&as_kernel_align, cpu, 1e6 * ratios[i], 1e6);
  as__model_learn(&as_kernel_align, cpu, 10e3, 1e3); /* too short: ignored */
  CHECK_INT_EQ(as_profile_save(), 0);
  CHECK(access(file, R_OK) == 0);
  as__model_reset();
  as__model_rates(&as_kernel_align, cpu, &r);
  CHECK(near(r.batch_ns, 1500) && near(r.task_ns, 2500) &&
        near(r.unit_ns, 0.5));
  CHECK(near(r.eff, 0.8));
  CHECK_INT_EQ(r.calibrated, 1);
  CHECK_MSG(near(r.scale, 1.2), "scale %.4f is not the median 1.2", r.scale);
  CHECK(strcmp(as__model_source(&as_kernel_align, cpu), "profile") == 0);
  char key[96] = "";
  CHECK(as__model_last_gpu("sim", key, sizeof key) &&
        strcmp(key, "sim/test/1") == 0);
  CHECK(near(as__model_gpu_start_ns("sim", "sim/test/1"), 5e6));
  /* another kernel, another device: still the defaults */
  as__model_rates(&as_kernel_filter, cpu, &r);
  CHECK_INT_EQ(r.calibrated, 0);
  as__model_rates(&as_kernel_align, "cpu/another-model", &r);
  CHECK_INT_EQ(r.calibrated, 0);
  CHECK_INT_EQ(as__model_warnings(), 0);
}

static void test_robust_update(void) {
  as__model_reset();
  as__model_set_rates(&as_kernel_align, cpu, &sample_rates);
  as_rates r;
  for (int i = 0; i < 8; i++) as__model_learn(&as_kernel_align, cpu, 1e6, 1e6);
  as__model_learn(&as_kernel_align, cpu, 100e6, 1e6); /* one slow run */
  as__model_rates(&as_kernel_align, cpu, &r);
  CHECK_MSG(near(r.scale, 1.0), "one slow sample moved the rate to %.3f",
            r.scale);
  /* a lasting change does move it */
  for (int i = 0; i < 5; i++) as__model_learn(&as_kernel_align, cpu, 2e6, 1e6);
  as__model_rates(&as_kernel_align, cpu, &r);
  CHECK_MSG(near(r.scale, 2.0), "scale %.3f after five runs at 2x", r.scale);
}

typedef struct bad_file {
  const char *what;
  const char *text;
  size_t len;
} bad_file;

static void test_bad_files(void) {
  char long_line[3000];
  memset(long_line, 'x', sizeof long_line);
  memcpy(long_line, "accelstrat-profile 1\n", 21);
  char host[64];
  gethostname(host, sizeof host);
  char other_version[128], other_host[128], bad_rates[512], nan_rates[512];
  snprintf(other_version, sizeof other_version,
           "accelstrat-profile 2\nhost=%s\n", host);
  snprintf(other_host, sizeof other_host, "accelstrat-profile 1\nhost=not-%s\n",
           host);
  snprintf(
      bad_rates, sizeof bad_rates,
      "accelstrat-profile 1\nhost=%s\nrates kernel=align version=1 device=%s "
      "batch_ns=1 task_ns=2\n",
      host, cpu);
  snprintf(
      nan_rates, sizeof nan_rates,
      "accelstrat-profile 1\nhost=%s\nrates kernel=align version=1 device=%s "
      "batch_ns=nan task_ns=1 unit_ns=1 lane_ns=1 byte_ns=0 eff=1 "
      "calibrated=1 ratios=-\n",
      host, cpu);
  const bad_file cases[] = {
      {"garbage", "hello world\n", 12},
      {"binary",
       "\x7f"
       "ELF\x01\x02\0\0\xff\xfe",
       10},
      {"empty", "", 0},
      {"other format version", other_version, strlen(other_version)},
      {"other host", other_host, strlen(other_host)},
      {"rates line missing fields", bad_rates, strlen(bad_rates)},
      {"NaN", nan_rates, strlen(nan_rates)},
      {"line too long", long_line, sizeof long_line},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    write_text(cases[i].text, cases[i].len);
    as__model_reset();
    as_rates r;
    as__model_rates(&as_kernel_align, cpu, &r);
    as__model_rates(&as_kernel_filter, cpu, &r);
    CHECK_MSG(r.calibrated == 0, "%s: rates used", cases[i].what);
    CHECK_MSG(as__model_warnings() == 1, "%s: %u warnings, expected 1",
              cases[i].what, as__model_warnings());
    /* the next save replaces it with a valid file */
    as__model_learn(&as_kernel_align, cpu, 1e6, 1e6);
    CHECK_MSG(as_profile_save() == 0, "%s: save failed", cases[i].what);
    as__model_reset();
    as__model_rates(&as_kernel_align, cpu, &r);
    CHECK_MSG(as__model_warnings() == 0, "%s: still bad after a save",
              cases[i].what);
  }
  /* a bad record costs its line only: the calibrated rates beside it stay */
  char mixed[1024];
  snprintf(mixed, sizeof mixed,
           "accelstrat-profile 1\nhost=%s\n"
           "gpu backend=sim key=sim/x/1 init_ns=1 mem=inf\n"
           "rates kernel=align version=%u device=%s batch_ns=1 task_ns=1 "
           "unit_ns=1 lane_ns=1 byte_ns=0 eff=1 calibrated=1 ratios=-\n",
           host, as_kernel_align.version, cpu);
  write_text(mixed, strlen(mixed));
  as__model_reset();
  as_rates kept;
  as__model_rates(&as_kernel_align, cpu, &kept);
  CHECK_MSG(kept.calibrated == 1, "a bad line dropped the whole profile");
  CHECK_INT_EQ(as__model_warnings(), 1);
  /* what the runtime writes it reads back: a sim GPU of a million GiB */
  unlink(file);
  as__model_reset();
  as__model_note_gpu("sim", "sim/huge/1", 5e6, 1.07e15 * 1000);
  as__model_learn(&as_kernel_align, cpu, 1e6, 1e6);
  CHECK_INT_EQ(as_profile_save(), 0);
  as__model_reset();
  CHECK_MSG(as__model_gpu_mem("sim", "sim/huge/1") >= 1e15,
            "the huge GPU's memory was not read back (%g)",
            as__model_gpu_mem("sim", "sim/huge/1"));
  as__model_rates(&as_kernel_align, cpu, &kept);
  CHECK_INT_EQ(as__model_warnings(), 0);
  /* a FIFO at the profile's path: refused at once, never read (a reader
   * would wait for a writer forever); the next save replaces it */
  unlink(file);
  CHECK(mkfifo(file, 0600) == 0);
  alarm(10); /* a hang fails the test */
  as__model_reset();
  as__model_rates(&as_kernel_align, cpu, &kept);
  CHECK_INT_EQ(as__model_warnings(), 1);
  as__model_learn(&as_kernel_align, cpu, 1e6, 1e6);
  CHECK_INT_EQ(as_profile_save(), 0);
  alarm(0);
  struct stat fst;
  CHECK(stat(file, &fst) == 0 && S_ISREG(fst.st_mode));
  /* an entry for another version of the kernel is kept but not used */
  char old_kernel[512];
  snprintf(
      old_kernel, sizeof old_kernel,
      "accelstrat-profile 1\nhost=%s\nrates kernel=align version=99 device=%s "
      "batch_ns=1 task_ns=1 unit_ns=1 lane_ns=1 byte_ns=0 eff=1 "
      "calibrated=1 ratios=-\n",
      host, cpu);
  write_text(old_kernel, strlen(old_kernel));
  as__model_reset();
  as_rates r;
  as__model_rates(&as_kernel_align, cpu, &r);
  CHECK_INT_EQ(r.calibrated, 0);
  CHECK_INT_EQ(as__model_warnings(), 0);
}

/* A GPU the profile remembers but the machine no longer has is forgotten
 * once a probe finds nothing, so later processes do not predict it. */
static void test_stale_gpu(void) {
  unlink(file);
  as__model_reset();
  as__gpu_reset();
  as__model_note_gpu("cuda", "cuda/Old_Card/1.0", 1e3, 8e9);
  CHECK_INT_EQ(as_profile_save(), 0);
  setenv("ACCELSTRAT_GPU", "cuda", 1);
  setenv("ACCELSTRAT_CUDA_LIBRARY", "/nonexistent/libaccelstrat-cuda.so", 1);
  as__model_reset();
  char key[96];
  CHECK(as__model_last_gpu("cuda", key, sizeof key));
  const char *why;
  int status;
  CHECK(as__gpu_get(NULL, &why, &status) == NULL);
  CHECK_INT_EQ(as_profile_save(), 0);
  as__model_reset();
  CHECK_MSG(!as__model_last_gpu("cuda", key, sizeof key), "stale GPU kept: %s",
            key);
  unsetenv("ACCELSTRAT_CUDA_LIBRARY");
  unsetenv("ACCELSTRAT_GPU");
  as__gpu_reset();
}

/* Processes saving at once lose nothing and leave a valid file. */
static void test_concurrent_saves(void) {
  unlink(file);
  enum { WRITERS = 6, ROUNDS = 15 };
  for (int w = 0; w < WRITERS; w++) {
    if (fork() == 0) {
      char own[96];
      snprintf(own, sizeof own, "cpu/writer-%d", w);
      for (int i = 0; i < ROUNDS; i++) {
        as__model_reset();
        as__model_learn(&as_kernel_align, own, 1e6 * (1 + w), 1e6);
        as__model_learn(&as_kernel_filter, "cpu/shared", 1e6, 1e6);
        if (as_profile_save() != 0) _exit(2);
      }
      _exit(as__model_warnings() ? 3 : 0);
    }
  }
  for (int w = 0; w < WRITERS; w++) {
    int status;
    wait(&status);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer status %d",
              status);
  }
  as__model_reset();
  for (int w = 0; w < WRITERS; w++) {
    char own[96];
    snprintf(own, sizeof own, "cpu/writer-%d", w);
    as_rates r;
    as__model_rates(&as_kernel_align, own, &r);
    CHECK_MSG(near(r.scale, 1 + w), "writer %d's rate lost (scale %.3f)", w,
              r.scale);
  }
  CHECK_INT_EQ(as__model_warnings(), 0);
  CHECK(strcmp(as__model_source(&as_kernel_filter, "cpu/shared"), "learned") ==
        0);
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d)))
    CHECK_MSG(!strstr(e->d_name, ".tmp."), "left behind: %s", e->d_name);
  if (d) closedir(d);
}

static int run_auto(as_synth *s, as_report *rep) {
  as_config cfg;
  as_config_defaults(&cfg);
  cfg.threads = 2; /* not the load average's guess: a fixed machine */
  as_executor *ex;
  int rc = as_executor_create(&cfg, &ex);
  if (rc == 0) rc = as_run(ex, &s->batch, rep);
  as_executor_destroy(ex);
  return rc;
}

/* auto follows the profile: a GPU it says is fast gets the work, one it says
 * is slow or slow to start is not even woken. */
static void test_selection(void) {
  setenv("ACCELSTRAT_GPU", "sim", 1);
  unsetenv("ACCELSTRAT_SIM");
  unlink(file);
  as__model_reset();
  as__gpu_reset();
  as_synth s;
  as_synth_shape shape = {2000, 64, 256, 0, 10, 0};
  CHECK_INT_EQ(as__synth_make(&s, &as_kernel_align, &shape, 7), 0);
  char key[96] = "";
  as_gpu_info info;
  const char *why;
  int status;
  CHECK(as__gpu_get(&info, &why, &status) != NULL);
  CHECK(as__gpu_peek(key, sizeof key, NULL, NULL) == 1);
  as_rates cpu_rates = {20e3, 1000, 0.25, 0.25, 0, 0.9, 1, 1};
  as_rates fast = {1e3, 1, 0.0001, 0.0001, 0, 1, 1, 1};
  as_rates slow = {1e3, 1e5, 100, 100, 0, 1, 1, 1};
  as_report rep;

  as__model_set_rates(&as_kernel_align, cpu, &cpu_rates);
  as__model_set_rates(&as_kernel_align, key, &fast);
  CHECK_INT_EQ(run_auto(&s, &rep), 0);
  CHECK_MSG(rep.chosen.kind == AS_STRATEGY_GPU ||
                rep.chosen.kind == AS_STRATEGY_HYBRID,
            "fast GPU not chosen: %s", rep.reason);
  CHECK(rep.tasks_on[AS_DEVICE_GPU] > 0);
  CHECK(rep.predicted_ns[AS_PREDICT_GPU] < rep.predicted_ns[AS_PREDICT_CPU]);
  CHECK(strcmp(rep.model, "profile") == 0);
  CHECK(strstr(rep.reason, "auto: ") == rep.reason);
  printf("fast sim: %s\n", rep.reason);

  as__model_set_rates(&as_kernel_align, key, &slow);
  CHECK_INT_EQ(run_auto(&s, &rep), 0);
  CHECK_MSG(rep.chosen.kind == AS_STRATEGY_CPU, "slow GPU chosen: %s",
            rep.reason);
  CHECK(rep.predicted_ns[AS_PREDICT_GPU] > rep.predicted_ns[AS_PREDICT_CPU]);
  CHECK_EQ(rep.tasks_on[AS_DEVICE_CPU], s.batch.n);
  printf("slow sim: %s\n", rep.reason);

  /* A fast GPU that takes 10 s to wake is not woken for a short batch. */
  as__gpu_reset();
  as__model_set_rates(&as_kernel_align, key, &fast);
  as__model_note_gpu("sim", key, 10e9, 1e9);
  CHECK_INT_EQ(run_auto(&s, &rep), 0);
  CHECK_MSG(rep.chosen.kind == AS_STRATEGY_CPU, "cold GPU chosen: %s",
            rep.reason);
  CHECK_MSG(as__gpu_peek(key, sizeof key, NULL, NULL) == 0, "GPU woken: %s",
            rep.reason);
  /* the noted start-up time is averaged with the one measured earlier */
  CHECK(strstr(rep.reason, "cold start") != NULL);
  CHECK(rep.predicted_ns[AS_PREDICT_GPU] >= 2000000000u);
  printf("cold sim: %s\n", rep.reason);

  /* Selection's own time: median over repeated decisions. */
  as__gpu_reset();
  as__model_reset();
  unlink(file);
  as_config cfg;
  as_config_defaults(&cfg);
  cfg.threads = 2;
  as_executor *ex;
  CHECK_INT_EQ(as_executor_create(&cfg, &ex), 0);
  double t[101], t1[101];
  as_batch one = s.batch;
  one.n = 1;
  for (int i = 0; i < 101; i++) {
    as_run(ex, &s.batch, &rep);
    t[i] = (double)rep.select_ns;
    as_run(ex, &one, &rep);
    t1[i] = (double)rep.select_ns;
  }
  as_executor_destroy(ex);
  printf("selection: median %.2f us for 1 align task, %.1f us for %zu (a pass "
         "over the tasks included)\n",
         as__median(t1, 101) / 1e3, as__median(t, 101) / 1e3, s.batch.n);
  as__synth_free(&s);
  unsetenv("ACCELSTRAT_GPU");
  as__gpu_reset();
}

/* as_calibrate writes calibrated rates for every kernel on the CPU and on
 * the (sim) GPU, and the next process reads them. */
static void test_calibrate(void) {
  unlink(file);
  as__model_reset();
  as__gpu_reset();
  setenv("ACCELSTRAT_GPU", "sim", 1);
  as_calibration c;
  as_calibration_defaults(&c);
  c.samples = 1;
  c.threads = 2;
  char err[256] = "";
  CHECK_MSG(as_calibrate(&c, err, sizeof err) == 0, "as_calibrate: %s", err);
  char sim[96];
  CHECK(as__gpu_peek(sim, sizeof sim, NULL, NULL) == 1);
  as__model_reset();
  for (size_t i = 0; i < as__builtin_count(); i++) {
    const as_kernel *k = as__builtin_at(i)->kernel;
    as_rates r;
    as__model_rates(k, cpu, &r);
    CHECK_MSG(r.calibrated && r.unit_ns > 0 && r.eff > 0, "%s on the CPU",
              k->name);
    as__model_rates(k, sim, &r);
    CHECK_MSG(r.calibrated && r.unit_ns > 0, "%s on the sim", k->name);
  }
  CHECK_INT_EQ(as__model_warnings(), 0);
  /* off: a clear error, nothing written */
  setenv("ACCELSTRAT_PROFILE", "off", 1);
  CHECK_INT_EQ(as_calibrate(&c, err, sizeof err), AS_ENOSYS);
  CHECK(strstr(err, "off") != NULL);
  setenv("ACCELSTRAT_PROFILE", file, 1);
  unsetenv("ACCELSTRAT_GPU");
  as__gpu_reset();
  as__model_reset();
}

/* One executor's decisions follow the model as it changes under it: the
 * rates it predicts with (and says where they come from) are the model's of
 * the moment, whether learned from its own runs, set by calibration or
 * forgotten since its last run (it keeps a snapshot of the model between
 * runs: model/snapshot.h). */
static void test_snapshot(void) {
  setenv("ACCELSTRAT_GPU", "off", 1);
  as__gpu_reset();
  unlink(file);
  as__model_reset();
  as_synth s;
  /* Long enough that every run is learned (AS_MODEL_LEARN_MIN_NS) even on
   * a fast machine: about 2 ms on one core of the CI VM. */
  as_synth_shape shape = {200, 256, 1024, 0, 10, 0};
  CHECK_INT_EQ(as__synth_make(&s, &as_kernel_align, &shape, 3), 0);
  const as_kernel *k = &as_kernel_align;
  const as_shape sh = shape_of(&s.batch);
  as_config cfg;
  as_config_defaults(&cfg);
  cfg.strategy.kind = AS_STRATEGY_CPU;
  cfg.threads = 1; /* one thread: no team start in the prediction */
  as_executor *ex = NULL;
  CHECK_INT_EQ(as_executor_create(&cfg, &ex), 0);
  const as_rates a = {20e3, 1000, 0.25, 0.25, 0, 0.9, 1, 1};
  const as_rates b = {20e3, 1e5, 5, 5, 0, 0.9, 1, 1};
  static const char *const sources[] = {"defaults", "learned", "profile",
                                        "profile", "defaults"};
  for (int round = 0; round < 5 && ex; round++) {
    if (round == 2) as__model_set_rates(k, cpu, &a);
    if (round == 3) as__model_set_rates(k, cpu, &b);
    if (round == 4) as__model_reset();
    as_rates r;
    as__model_rates(k, cpu, &r);
    const double want = as__predict_cpu(&r, &sh, 1);
    as_report rep;
    CHECK_INT_EQ(as_run(ex, &s.batch, &rep), 0);
    CHECK_MSG(fabs((double)rep.predicted_ns[AS_PREDICT_CPU] - want) <= 1,
              "round %d: predicted %llu ns, the model says %.0f", round,
              (unsigned long long)rep.predicted_ns[AS_PREDICT_CPU], want);
    CHECK_MSG(strcmp(rep.model, sources[round]) == 0,
              "round %d: rates from %s, want %s", round, rep.model,
              sources[round]);
  }
  as_executor_destroy(ex);
  as__synth_free(&s);
  unsetenv("ACCELSTRAT_GPU");
  as__gpu_reset();
}

/* One auto executor's view of the GPU layer (gpu.h's as_gpu_view) follows
 * it as it changes under it: switched off, reset to the sim, woken by
 * another executor, marked dead. */
static void test_gpu_view(void) {
  setenv("ACCELSTRAT_GPU", "off", 1);
  as__gpu_reset();
  as__model_reset();
  as_synth s;
  as_synth_shape shape = {20, 16, 64, 0, 10, 0};
  CHECK_INT_EQ(as__synth_make(&s, &as_kernel_align, &shape, 5), 0);
  as_config cfg;
  as_config_defaults(&cfg);
  cfg.threads = 1;
  as_executor *autox = NULL, *gpu = NULL;
  CHECK_INT_EQ(as_executor_create(&cfg, &autox), 0);
  cfg.strategy.kind = AS_STRATEGY_GPU;
  CHECK_INT_EQ(as_executor_create(&cfg, &gpu), 0);
  as_report rep;
  CHECK_INT_EQ(as_run(autox, &s.batch, &rep), 0);
  CHECK_MSG(strstr(rep.reason, "GPU unusable (ACCELSTRAT_GPU=off)"), "off: %s",
            rep.reason);
  CHECK(!rep.predicted_ns[AS_PREDICT_GPU]);
  setenv("ACCELSTRAT_GPU", "sim", 1);
  as__gpu_reset();
  CHECK_INT_EQ(as_run(autox, &s.batch, &rep), 0);
  CHECK_MSG(!strstr(rep.reason, "unusable") && rep.predicted_ns[AS_PREDICT_GPU],
            "reset to the sim: %s", rep.reason);
  const uint64_t cold = rep.predicted_ns[AS_PREDICT_GPU];
  CHECK_INT_EQ(as_run(gpu, &s.batch, &rep), 0); /* wakes the sim */
  CHECK_MSG(rep.chosen.kind == AS_STRATEGY_GPU, "gpu: %s", rep.reason);
  CHECK_INT_EQ(as_run(autox, &s.batch, &rep), 0);
  /* Up: the device's rates (learned from the run that woke it, as fast as
   * this build runs the sim: slower than the defaults under TSan) and no
   * cold start. */
  char key[96];
  as_rates r;
  CHECK_INT_EQ(as__gpu_peek(key, sizeof key, NULL, NULL), 1);
  as__model_rates(&as_kernel_align, key, &r);
  const as_shape sh = shape_of(&s.batch);
  const double up =
      as__predict_gpu(&r, &sh, as__model_gpu_mem(as__gpu_choice(), key));
  CHECK_MSG(rep.predicted_ns[AS_PREDICT_GPU] &&
                fabs((double)rep.predicted_ns[AS_PREDICT_GPU] - up) <= 1,
            "the sim up: gpu predicted %llu ns, the model says %.0f (%llu "
            "while it was asleep)",
            (unsigned long long)rep.predicted_ns[AS_PREDICT_GPU], up,
            (unsigned long long)cold);
  as__gpu_mark_dead("test");
  CHECK_INT_EQ(as_run(autox, &s.batch, &rep), 0);
  CHECK_MSG(strstr(rep.reason, "dead after a driver error (test)") &&
                !rep.predicted_ns[AS_PREDICT_GPU],
            "dead: %s", rep.reason);
  as_executor_destroy(gpu);
  as_executor_destroy(autox);
  as__synth_free(&s);
  unsetenv("ACCELSTRAT_GPU");
  as__gpu_reset();
}

int main(void) {
  snprintf(dir, sizeof dir, "%s/accelstrat-model-XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(dir)) return 2;
  snprintf(file, sizeof file, "%s/sub/profile.txt", dir);
  setenv("ACCELSTRAT_PROFILE", file, 1);
  char slots[300];
  snprintf(slots, sizeof slots, "%s/slots", dir);
  setenv("ACCELSTRAT_GPU_SLOT_DIR", slots, 1);
  as__model_cpu_key(cpu, sizeof cpu);
  CHECK(strncmp(cpu, "cpu/", 4) == 0 && !strchr(cpu, ' '));
  char path[512];
  CHECK_INT_EQ(as_profile_path(path, sizeof path), 0);
  CHECK(strcmp(path, file) == 0);
  setenv("ACCELSTRAT_PROFILE", "off", 1);
  CHECK_INT_EQ(as_profile_path(path, sizeof path), AS_ENOSYS);
  unsetenv("ACCELSTRAT_PROFILE");
  setenv("XDG_CACHE_HOME", "/x/cache", 1);
  CHECK_INT_EQ(as_profile_path(path, sizeof path), 0);
  CHECK(strncmp(path, "/x/cache/accelstrat/profile-", 28) == 0);
  setenv("ACCELSTRAT_PROFILE", file, 1);

  test_predictions();
  test_round_trip();
  test_robust_update();
  test_bad_files();
  test_stale_gpu();
  test_concurrent_saves();
  test_selection();
  test_calibrate();
  test_snapshot();
  test_gpu_view();
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (!test_failures && system(cmd) != 0) return 2;
  return test_finish("test_model");
}
