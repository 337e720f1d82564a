/* The GPU shared by several processes through the runtime (sim backend):
 * with ACCELSTRAT_GPU_SLOTS=2, of five processes asking for strategy=gpu at
 * once, two run on the GPU and three fall back to the CPU with a gpu-busy
 * event; fallback=off then fails with AS_EGPU_BUSY; auto, predicting the GPU
 * faster, takes the CPU and says the GPU is busy. A holder killed with
 * SIGKILL frees its slot for the next process. Outputs are the CPU's in
 * every case. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <accelstrat/accelstrat.h>

#include "gpu/gpu.h"
#include "registry.h"
#include "model.h"
#include "test_hash_kernel.h"
#include "test_util.h"

typedef struct result {
  int rc, chosen, busy_events, on_gpu, outputs_ok;
  char reason[256];
} result;

static ragged data;

/* Runs the batch once with a strategy; fills r. */
static void run(const char *strategy, int fallback, result *r) {
  as_config cfg;
  as_config_defaults(&cfg);
  char err[256];
  as_config_set(&cfg, "strategy", strategy, err, sizeof err);
  cfg.fallback = fallback;
  cfg.threads = 2;
  as_executor *ex;
  uint64_t *out = calloc(data.n, sizeof *out);
  as_batch b = {&hash_kernel, data.n, data.data, data.offsets, NULL, 0, out};
  as_report rep;
  r->rc = as_executor_create(&cfg, &ex);
  if (r->rc == 0) r->rc = as_run(ex, &b, &rep);
  as_executor_destroy(ex);
  r->chosen = rep.chosen.kind;
  r->busy_events = 0;
  for (unsigned i = 0; i < rep.n_events; i++)
    r->busy_events += rep.events[i].cause == AS_EVENT_GPU_BUSY;
  r->on_gpu = (int)rep.tasks_on[AS_DEVICE_GPU];
  r->outputs_ok =
      r->rc != 0 || memcmp(out, data.expect, data.n * sizeof *out) == 0;
  snprintf(r->reason, sizeof r->reason, "%s", rep.reason);
  free(out);
}

/* Rates in which the sim GPU is far faster than the CPU. */
static void fast_sim(void) {
  char key[96];
  as__gpu_key("sim", "sim", "", key, sizeof key);
  as_rates fast = {1e3, 1, 1e-4, 1e-4, 0, 1, 1, 1};
  as__model_set_rates(&hash_kernel, key, &fast);
  as__model_note_gpu("sim", key, 0, 1e9);
}

/* A child that runs once, reports, then holds whatever it took until the
 * parent closes `hold` (or kills it). */
static pid_t child(const char *strategy, int fallback, result *slot, int go,
                   int ready, int hold[2], void (*setup)(void)) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  alarm(60);
  close(hold[1]); /* the parent's closing it is the signal to go */
  if (setup) setup();
  char c;
  if (go >= 0 && read(go, &c, 1) != 1) _exit(3);
  run(strategy, fallback, slot);
  if (write(ready, "r", 1) != 1) _exit(3);
  while (read(hold[0], &c, 1) > 0) {
  }
  _exit(0);
}

static void wait_ready(int ready, int n) {
  char c;
  for (int i = 0; i < n; i++)
    if (read(ready, &c, 1) != 1) TEST_FAIL("a child did not report");
}

enum { N = 5 };

/* The children's results (shared with them), their pipes and pids. */
typedef struct share {
  result *res;
  int go[2], ready[2], hold[2];
  pid_t pids[N];
  int holder; /* a child of the first five that holds a GPU slot */
} share;

/* One more child on strategy with fallback, once it has reported. */
static pid_t one_child(share *s, const char *strategy, int fallback, result *r,
                       void (*setup)(void)) {
  pid_t p = child(strategy, fallback, r, -1, s->ready[1], s->hold, setup);
  wait_ready(s->ready[0], 1);
  return p;
}

static void kill_child(pid_t p) {
  kill(p, SIGKILL);
  waitpid(p, NULL, 0);
}

/* Of five processes at once on two slots, two run on the GPU and three fall
 * back to the CPU with a gpu-busy event. 2 if the children cannot be
 * started. */
static int five_processes_two_slots(share *s) {
  for (int i = 0; i < N; i++)
    s->pids[i] =
        child("gpu", 1, &s->res[i], s->go[0], s->ready[1], s->hold, NULL);
  close(s->go[0]);
  for (int i = 0; i < N; i++) /* all at once */
    if (write(s->go[1], "g", 1) != 1) return 2;
  wait_ready(s->ready[0], N);
  result *res = s->res;
  int on_gpu = 0, busy = 0;
  s->holder = -1;
  for (int i = 0; i < N; i++) {
    CHECK_INT_EQ(res[i].rc, 0);
    CHECK(res[i].outputs_ok);
    if (res[i].on_gpu == (int)data.n && res[i].busy_events == 0) {
      on_gpu++;
      s->holder = i;
    } else if (res[i].busy_events == 1 && res[i].on_gpu == 0 &&
               res[i].chosen == AS_STRATEGY_CPU) {
      busy++;
      CHECK_MSG(strstr(res[i].reason, "busy") != NULL, "reason: %s",
                res[i].reason);
    } else {
      TEST_FAIL("child %d: on gpu %d, busy events %d (%s)", i, res[i].on_gpu,
                res[i].busy_events, res[i].reason);
    }
  }
  CHECK_INT_EQ(on_gpu, 2);
  CHECK_INT_EQ(busy, N - 2);
  printf("5 processes, 2 slots: %d on the GPU, %d fell back (gpu-busy)\n",
         on_gpu, busy);
  return 0;
}

/* While both are held: fallback=off is an error naming the cause... */
static void busy_without_fallback_fails(share *s) {
  result *r = &s->res[N];
  pid_t p = one_child(s, "gpu", 0, r, NULL);
  CHECK_INT_EQ(r->rc, AS_EGPU_BUSY);
  CHECK_MSG(strstr(r->reason, "busy") && strstr(r->reason, "fallback=off"),
            "%s", r->reason);
  kill_child(p);
}

/* ...and auto, whose rates say the GPU would be faster, uses the CPU
 * without an event and says why. */
static void busy_auto_takes_cpu(share *s) {
  result *r = &s->res[N + 1];
  pid_t p = one_child(s, "auto", 1, r, fast_sim);
  CHECK_INT_EQ(r->rc, 0);
  CHECK_INT_EQ(r->chosen, AS_STRATEGY_CPU);
  CHECK_INT_EQ(r->busy_events, 0);
  CHECK_MSG(strstr(r->reason, "predicted faster but busy"), "%s", r->reason);
  CHECK(r->outputs_ok);
  kill_child(p);
}

/* A holder killed outright frees its slot: the next process gets it. */
static void killed_holder_frees_slot(share *s) {
  CHECK(s->holder >= 0);
  if (s->holder >= 0) {
    kill_child(s->pids[s->holder]);
    s->pids[s->holder] = 0;
  }
  result *r = &s->res[N + 2];
  pid_t p = one_child(s, "gpu", 0, r, NULL);
  CHECK_MSG(r->rc == 0 && r->on_gpu == (int)data.n,
            "after the kill: rc %d, on gpu %d (%s)", r->rc, r->on_gpu,
            r->reason);
  kill_child(p);
}

/* The other children exit when let go; then this process gets a slot. */
static void slot_free_once_all_gone(share *s) {
  close(s->hold[1]); /* the others exit */
  for (int i = 0; i < N; i++)
    if (s->pids[i]) {
      int status;
      waitpid(s->pids[i], &status, 0);
      CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
  /* Everyone gone: this process gets a slot. */
  result mine;
  run("gpu", 0, &mine);
  CHECK_INT_EQ(mine.rc, 0);
  CHECK_INT_EQ(mine.on_gpu, (int)data.n);
}

int main(void) {
  alarm(120);
  as__kernel_test_gpu(&hash_kernel); /* the sim runs it */
  test_rng rng = {test_seed()};
  data = make_ragged(&rng, 400);
  char dir[] = "/tmp/accelstrat-share-XXXXXX";
  if (!mkdtemp(dir)) return 2;
  setenv("ACCELSTRAT_GPU_SLOT_DIR", dir, 1);
  setenv("ACCELSTRAT_GPU_SLOTS", "2", 1);
  setenv("ACCELSTRAT_GPU", "sim", 1);
  setenv("ACCELSTRAT_PROFILE", "off", 1);

  share s;
  s.res = mmap(NULL, sizeof(result) * (N + 4), PROT_READ | PROT_WRITE,
               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (pipe(s.go) || pipe(s.ready) || pipe(s.hold)) return 2;
  if (five_processes_two_slots(&s)) return 2;
  busy_without_fallback_fails(&s);
  busy_auto_takes_cpu(&s);
  killed_holder_frees_slot(&s);
  slot_free_once_all_gone(&s);
  as__gpu_reset();
  free_ragged(&data);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) return 2;
  return test_finish("test_gpu_share");
}
