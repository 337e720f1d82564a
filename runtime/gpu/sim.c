/* The sim backend: a stand-in GPU for machines without one. It runs a
 * kernel's host code on the thread that drives it, with a memory limit (so
 * out-of-memory is real: a chunk that does not fit fails), a speed factor
 * and a start-up cost, set by ACCELSTRAT_SIM="memory=64M,speed=0.5,startup=2"
 * (bytes with K/M/G, 0<speed<=1, milliseconds). It calls itself "sim"
 * everywhere and is never reported as a GPU. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <accelstrat/error.h>

#include "gpu.h"
#include "internal.h"
#include "settings.h"
#include "support/parse.h"

typedef struct sim_settings {
  size_t memory;
  double speed;
  double startup_ms;
} sim_settings;

static const sim_settings defaults = {(size_t)1 << 30, 1.0, 0};
static sim_settings sim;

static void pause_ns(uint64_t ns) {
  struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

static int parse_size(const char *s, size_t *out) {
  char *end;
  double v = strtod(s, &end);
  double unit = 1;
  if (*end == 'K')
    unit = 1024.0, end++;
  else if (*end == 'M')
    unit = 1024.0 * 1024, end++;
  else if (*end == 'G')
    unit = 1024.0 * 1024 * 1024, end++;
  if (end == s || *end || v < 0) return -1;
  *out = (size_t)(v * unit);
  return 0;
}

/* One "key=value" item of ACCELSTRAT_SIM; 0, or -1 when it is not valid. */
static int parse_item(const char *key, const char *value) {
  double v;
  if (strcmp(key, "memory") == 0) return parse_size(value, &sim.memory);
  if (as__parse_double(value, &v) < 0) return -1;
  if (strcmp(key, "speed") == 0 && v > 0 && v <= 1) {
    sim.speed = v;
    return 0;
  }
  if (strcmp(key, "startup") == 0 && v >= 0) {
    sim.startup_ms = v;
    return 0;
  }
  return -1;
}

static int parse_settings(const char *text, char *detail, size_t len) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", text);
  for (char *save, *item = strtok_r(buf, ",", &save); item;
       item = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(item, '=');
    if (eq) *eq = '\0';
    if (!eq || parse_item(item, eq + 1) < 0) {
      snprintf(detail, len,
               "ACCELSTRAT_SIM: bad item '%s'; accepted: memory=BYTES[K|M|G], "
               "speed=F (0<F<=1), startup=MS",
               item);
      return AS_EGPU_UNAVAILABLE;
    }
  }
  return 0;
}

static int sim_init(as_gpu_info *info, char *detail, size_t len) {
  sim = defaults;
  const char *settings = as__setting_env(AS_SETTING_SIM);
  if (settings && parse_settings(settings, detail, len) < 0)
    return AS_EGPU_UNAVAILABLE;
  pause_ns((uint64_t)(sim.startup_ms * 1e6)); /* a context's creation */
  snprintf(info->name, sizeof info->name, "sim");
  info->driver[0] = '\0';
  info->devices = 1;
  info->total_mem = sim.memory;
  info->is_simulated = 1;
  return 0;
}

static int sim_mem_info(size_t *free_bytes, size_t *total_bytes) {
  *free_bytes = sim.memory;
  *total_bytes = sim.memory;
  return 0;
}

/* It runs any kernel's host code; the executor only brings it kernels the
 * registry gives a GPU version (as__kernel_has_gpu). */
static int sim_has_kernel(const as_kernel *k) { return k != NULL; }

static int sim_run_chunk(const as_batch *b, size_t begin, size_t end,
                         char *detail, size_t len) {
  size_t need = as_batch_device_bytes(b, begin, end);
  if (need > sim.memory) {
    snprintf(detail, len, "sim: chunk needs %zu bytes, device has %zu", need,
             sim.memory);
    return AS_EGPU_OOM;
  }
  uint64_t start = as__now_ns();
  int rc = b->kernel->cpu(b, begin, end);
  if (sim.speed < 1) /* slower than the host: pad the time taken */
    pause_ns((uint64_t)((double)(as__now_ns() - start) * (1 / sim.speed - 1)));
  return rc;
}

static void sim_shutdown(void) {}

const as_gpu_backend *as__gpu_sim_backend(void) {
  static const as_gpu_backend be = {
      AS_GPU_BACKEND_ABI, "sim",         sim_init,    sim_mem_info,
      sim_has_kernel,     sim_run_chunk, sim_shutdown};
  return &be;
}
