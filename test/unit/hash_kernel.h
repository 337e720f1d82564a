/* A user kernel for the tests: task i hashes its bytes (FNV-1a, seeded
 * with i). It counts its executions per task in test_runs (when set) and
 * fails at task test_fail_at. As a kernel of one's own it has no GPU
 * version; the tests of GPU strategies give it one with the runtime's
 * as__kernel_test_gpu, which the sim backend then runs (this host code).
 * The unit tests (test_hash_kernel.h) and test/fuzz/fuzz_hash.c run it. */
#ifndef ACCELSTRAT_HASH_KERNEL_H
#define ACCELSTRAT_HASH_KERNEL_H

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include <accelstrat/accelstrat.h>

static atomic_uint *test_runs;
static size_t test_fail_at = SIZE_MAX;

static int hash_cpu(const as_batch *b, size_t begin, size_t end) {
  for (size_t i = begin; i < end; i++) {
    if (i == test_fail_at) return AS_EKERNEL;
    size_t n;
    const unsigned char *p = as_task_input(b, i, &n);
    uint64_t h = 1469598103934665603ULL ^ i;
    for (size_t k = 0; k < n; k++) h = (h ^ p[k]) * 1099511628211ULL;
    memcpy(as_task_output(b, i), &h, sizeof h);
    if (test_runs) atomic_fetch_add(&test_runs[i], 1);
  }
  return 0;
}

/* Priced so that 1000 tasks are worth several threads, and large enough for
 * auto to share them with a GPU. */
static uint64_t hash_cost(const as_batch *b, size_t i) {
  size_t n;
  as_task_input(b, i, &n);
  return (n + 1) << 12;
}

static const as_kernel hash_kernel = {"test-hash", 1,        sizeof(uint64_t),
                                      hash_cost,   hash_cpu, 0};

#endif
