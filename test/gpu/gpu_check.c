/* accelstrat-gpu-check: the CUDA backend against the CPU, on a GPU machine.
 *
 *   accelstrat-gpu-check [--lib PATH] [--json PATH] [--seed N] [--quick]
 *
 * It dlopens libaccelstrat-cuda.so itself (default: where the runtime finds
 * it, support/module_path.h: ../lib/ from this program) and calls the
 * backend table directly, then:
 *   conformance  every kernel on fresh random inputs (seed printed): filter
 *                searches over families of near-duplicates at thresholds 0.5
 *                to 1 and at the block edges (511..514, 1025 functions),
 *                align pairs of edge lengths (0, 1, 63, 64, 65, ... 50,000
 *                tokens), chunks that start mid-batch and malformed inputs:
 *                the CPU function and run_chunk must return the same code
 *                and the same bytes;
 *   oom          a chunk larger than the free device memory (most of it taken
 *                first through the driver API) must fail with AS_EGPU_OOM,
 *                outputs untouched, and the device must still work;
 *   throughput   each kernel on the GPU (run_chunk, transfers included) and
 *                on all CPU threads (as_run, strategy cpu): warm-up, then the
 *                median of several runs;
 *   runtime      as_run with hybrid, hybrid:0.7 and gpu on this GPU, then with
 *                an injected out-of-memory and an injected driver error (a
 *                filter search, then align pairs): the CPU's outputs, every
 *                task once, the events recorded.
 * Results go to stdout as a markdown table and, with --json, to a file.
 * Exit: 0 all passed, 1 something failed, 77 no usable GPU or no backend
 * built (skip).
 *
 * This file: options, loading the backend, main; gpu_check.h lists the
 * other parts. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gpu_check.h"
#include "gpu_check_inputs.h"
#include "support/clock.h"
#include "support/module_path.h"

#define SKIP 77

gc_state gc;
gc_results gc_res = {.oom_status = "skipped"};

double gc_now_s(void) { return (double)as__now_ns() * 1e-9; }

static void usage(void) {
  fprintf(stderr,
          "usage: accelstrat-gpu-check [--lib PATH] [--json PATH] [--seed N] "
          "[--quick]\n");
  exit(2);
}

/* Loads the module at lib and initialises its device into gc: 0, SKIP
 * (not built, or no usable device: said) or 1 (said). */
static int load_backend(const char *lib) {
  if (access(lib, R_OK) != 0) {
    printf("CUDA backend unavailable: %s not built\n", lib);
    return SKIP;
  }
  void *module = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
  if (!module) {
    fprintf(stderr, "gpu-check: cannot load the CUDA backend: %s\n", dlerror());
    return 1;
  }
  as_gpu_backend_entry_fn entry =
      (as_gpu_backend_entry_fn)dlsym(module, AS_GPU_BACKEND_ENTRY);
  gc.be = entry ? entry() : NULL;
  if (!gc.be || gc.be->abi != AS_GPU_BACKEND_ABI) {
    fprintf(stderr, "gpu-check: %s: %s\n", lib,
            gc.be ? "backend ABI mismatch" : "no " AS_GPU_BACKEND_ENTRY);
    return 1;
  }
  char detail[200] = "";
  int rc = gc.be->init(&gc.gpu, detail, sizeof detail);
  if (rc != 0) {
    printf("CUDA backend unavailable (%s): %s\n", as_err_name(rc), detail);
    return SKIP;
  }
  return 0;
}

/* The CPU side's executor into gc, the host's CPU model into model: 0 or 1
 * (said). */
static int cpu_side(char *model, size_t len) {
  as_capabilities caps;
  as_capabilities_detect(&caps);
  snprintf(model, len, "%s", caps.cpu_model);
  as_config cfg;
  as_config_defaults(&cfg);
  cfg.strategy.kind = AS_STRATEGY_CPU;
  int rc = as_executor_create(&cfg, &gc.cpu_ex);
  if (rc != 0) {
    fprintf(stderr, "gpu-check: as_executor_create: %s\n", as_strerror(rc));
    return 1;
  }
  return 0;
}

static void run_parts(const char *lib, const char *model, int threads) {
  double t0 = gc_now_s();
  printf("\nconformance (CPU function vs run_chunk, byte for byte):\n");
  gc_conformance_filter();
  gc_conformance_align();
  printf("\nout of memory:\n");
  gc_test_oom();
  printf("\nthroughput (median of %d runs after a warm-up):\n",
         gc.quick ? 3 : 5);
  gc_throughput_all();
  printf(
      "\nthrough the runtime (as_run on this GPU; the last case kills it):\n");
  gc_runtime_paths(lib);
  gc_print_table(model, threads);
  printf("total %.1fs\n", gc_now_s() - t0);
}

int main(int argc, char **argv) {
  char lib[PATH_MAX];
  const char *json = NULL;
  unsigned long long seed = (unsigned long long)time(NULL);
  /* Where the runtime finds the module: ../lib/ from this program in bin/. */
  as__module_path((const void *)&main, "libaccelstrat-cuda.so", lib,
                  sizeof lib);
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--lib") && i + 1 < argc)
      snprintf(lib, sizeof lib, "%s", argv[++i]);
    else if (!strcmp(argv[i], "--json") && i + 1 < argc)
      json = argv[++i];
    else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
      seed = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--quick"))
      gc.quick = 1;
    else
      usage();
  }
  gc_seed(seed);
  setvbuf(stdout, NULL, _IOLBF, 0);
  /* The CPU side must not load a GPU backend of its own. */
  setenv("ACCELSTRAT_GPU", "off", 1);
  int rc = load_backend(lib);
  if (rc != 0) return rc;
  size_t free_b = 0, total_b = 0;
  gc.be->mem_info(&free_b, &total_b);
  char model[128];
  if (cpu_side(model, sizeof model) != 0) return 1;
  int threads = as_executor_capabilities(gc.cpu_ex)->usable_cpus;
  printf("accelstrat-gpu-check: seed %llu (--seed %llu replays it)\n", seed,
         seed);
  printf("device: %s, driver %s, %d device(s), %zu of %zu MiB free\n",
         gc.gpu.name, gc.gpu.driver, gc.gpu.devices, free_b >> 20,
         total_b >> 20);
  printf("host: %s, %d usable CPU threads\n", model, threads);
  run_parts(lib, model, threads);
  if (json && gc_write_json(json, seed, model, threads, free_b) != 0)
    gc_res.failed++;
  as_executor_destroy(gc.cpu_ex);
  gc.be->shutdown();
  return gc_res.failed ? 1 : 0;
}
