/* The executor on a kernel of one's own, against a plain call: the unit
 * tests' hash kernel (test/unit/hash_kernel.h: task i hashes its bytes
 * with FNV-1a seeded with i), which counts its executions per task, run by
 * as_run under a strategy, thread count, fault and sim device all from the
 * input. With fallback on every run succeeds, each task runs exactly once,
 * the outputs are the plain loop's and the report's task counts add up;
 * with fallback off a run succeeds that way or fails with each task run
 * at most once. Before that, the fixed integer hashes (kernels/hash.h,
 * support/fnv.h): as_mix64 against SplitMix64's published first output and
 * undone by its inverse, as__fnv1a against the plain loop. */
#include "fuzz_kernel.h"

#include <stdatomic.h>

#include "gpu/gpu.h"
#include "hash_kernel.h"
#include "hash.h"
#include "registry.h"
#include "support/fnv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  setenv("ACCELSTRAT_PROFILE", "off", 1);
  setenv("ACCELSTRAT_GPU", "sim", 1);
  setenv("ACCELSTRAT_GPU_SLOT_DIR", fuzz_path(0, "slots"), 1);
  unsetenv("ACCELSTRAT_INJECT");
  unsetenv("MAKEFLAGS");
  unsetenv("MFLAGS");
  as__kernel_test_gpu(&hash_kernel);
  return 0;
}

/* x ^= x >> s, undone. */
static uint64_t unshift(uint64_t y, int s) {
  uint64_t x = y;
  for (int k = s; k < 64; k += s) x = y ^ (x >> s);
  return x;
}

/* The inverse of an odd multiplier modulo 2^64 (Newton's iteration). */
static uint64_t inverse(uint64_t a) {
  uint64_t x = a;
  for (int i = 0; i < 6; i++) x *= 2 - a * x;
  return x;
}

static void check_hashes(fuzz_in *in) {
  /* SplitMix64 from state 0: its first output is the finaliser of the
   * golden-ratio increment. */
  FUZZ_CHECK(as_mix64(0x9e3779b97f4a7c15ULL) == 0xe220a8397b1dcdafULL,
             "as_mix64 is not SplitMix64's finaliser");
  uint64_t x = fuzz_u64(in), y = as_mix64(x);
  uint64_t back = unshift(y, 31) * inverse(0x94d049bb133111ebULL);
  back = unshift(back, 27) * inverse(0xbf58476d1ce4e5b9ULL);
  back = unshift(back, 30);
  FUZZ_CHECK(back == x, "as_mix64(%llx) = %llx not undone",
             (unsigned long long)x, (unsigned long long)y);
  uint64_t h = fuzz_u64(in), v = fuzz_u64(in);
  FUZZ_CHECK(as_hash_combine(h, v) == as_mix64(h ^ (v + 0x9e3779b97f4a7c15ULL +
                                                    (h << 6) + (h >> 2))),
             "as_hash_combine");
  FUZZ_CHECK(as_hash_fold32(y) == ((uint32_t)y ^ (uint32_t)(y >> 32)),
             "as_hash_fold32");
  size_t got;
  const uint8_t *p = fuzz_bytes(in, fuzz_u8(in), &got);
  uint64_t plain = AS_FNV_OFFSET;
  for (size_t k = 0; k < got; k++) plain = (plain ^ p[k]) * 0x100000001b3ull;
  FUZZ_CHECK(as__fnv1a(AS_FNV_OFFSET, p, got) == plain, "as__fnv1a");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const strategies[] = {"cpu", "gpu", "hybrid", "auto"};
  static const char *const faults[] = {"none", "gpu-unavailable", "gpu-oom",
                                       "gpu-driver-error"};
  static const char *const memory[] = {"1K", "4K", "16K", "64K", "1G"};
  fuzz_in in = {data, size};
  check_hashes(&in);

  char strategy[32], fault[48], sim[48];
  uint8_t pick = fuzz_u8(&in);
  if (pick % 5 == 4)
    snprintf(strategy, sizeof strategy, "hybrid:%.2f",
             (double)(fuzz_u8(&in) % 101) / 100);
  else
    snprintf(strategy, sizeof strategy, "%s", strategies[pick % 5]);
  uint8_t f = fuzz_u8(&in) % 4;
  snprintf(fault, sizeof fault, "%s", faults[f]);
  if (f >= 2)
    snprintf(fault + strlen(fault), sizeof fault - strlen(fault), "@%u",
             fuzz_u8(&in) % 4);
  snprintf(sim, sizeof sim, "memory=%s", memory[fuzz_u8(&in) % 5]);
  int fallback = fuzz_u8(&in) % 4 != 0, threads = 1 + fuzz_u8(&in) % 3;

  /* n tasks of 0..255 bytes, the bytes from the rest of the input. */
  size_t n = (fuzz_u8(&in) | fuzz_u8(&in) << 8) % 1200;
  uint64_t *offsets = malloc((n + 1) * sizeof *offsets);
  offsets[0] = 0;
  for (size_t i = 0; i < n; i++) offsets[i + 1] = offsets[i] + fuzz_u8(&in);
  size_t bytes = (size_t)offsets[n];
  unsigned char *input = malloc(bytes ? bytes : 1);
  for (size_t k = 0; k < bytes; k++) input[k] = fuzz_u8(&in) ^ (uint8_t)k;
  uint64_t *out = malloc((n ? n : 1) * sizeof *out);
  uint64_t *want = malloc((n ? n : 1) * sizeof *want);
  test_runs = calloc(n ? n : 1, sizeof *test_runs);
  as_batch plain = {&hash_kernel, n, input, offsets, NULL, 0, want};
  hash_cpu(&plain, 0, n);
  for (size_t i = 0; i < n; i++) atomic_store(&test_runs[i], 0);

  as__gpu_reset(); /* a driver error ends the sim for the process */
  setenv("ACCELSTRAT_SIM", sim, 1);
  as_config cfg;
  as_config_defaults(&cfg);
  as_fault planted;
  long at;
  FUZZ_CHECK(as_config_set(&cfg, "strategy", strategy, NULL, 0) == 0 &&
                 as_fault_parse(fault, &planted, &at) == 0,
             "%s %s", strategy, fault);
  cfg.fallback = fallback, cfg.threads = threads;
  as_executor *ex;
  FUZZ_CHECK(as_executor_create(&cfg, &ex) == 0, "as_executor_create");
  FUZZ_CHECK(as_executor_inject(ex, planted, at) == 0, "as_executor_inject");
  as_batch b = {&hash_kernel, n, input, offsets, NULL, 0, out};
  as_report rep;
  memset(out, 0, (n ? n : 1) * sizeof *out);
  int rc = as_run(ex, &b, &rep);
  as_executor_destroy(ex);

  FUZZ_CHECK(rc == 0 || !fallback, "%s %s %s, %zu tasks: rc %d (%s)", strategy,
             fault, sim, n, rc, rep.reason);
  for (size_t i = 0; i < n; i++) {
    unsigned times = atomic_load(&test_runs[i]);
    FUZZ_CHECK(rc == 0 ? times == 1 : times <= 1,
               "%s %s %s fallback %d, %zu tasks: task %zu ran %u times (rc "
               "%d)",
               strategy, fault, sim, fallback, n, i, times, rc);
    FUZZ_CHECK(rc != 0 || out[i] == want[i], "%s %s %s: task %zu's output",
               strategy, fault, sim, i);
  }
  if (rc == 0)
    FUZZ_CHECK(rep.tasks == n &&
                   rep.tasks_on[AS_DEVICE_CPU] + rep.tasks_on[AS_DEVICE_GPU] ==
                       n,
               "%s %s %s: %llu tasks, %llu on the CPU and %llu on the GPU",
               strategy, fault, sim, (unsigned long long)rep.tasks,
               (unsigned long long)rep.tasks_on[AS_DEVICE_CPU],
               (unsigned long long)rep.tasks_on[AS_DEVICE_GPU]);
  free(test_runs), free(want), free(out), free(input), free(offsets);
  return 0;
}
