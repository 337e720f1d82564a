/* The sim backend: a stand-in GPU for machines without one. It runs a
 * kernel's host code on the thread that drives it, with a memory limit (so
 * out-of-memory is real: a chunk that does not fit fails), a speed factor
 * and a start-up cost, set by ACCELSTRAT_SIM="memory=64M,speed=0.5,startup=2"
 * (bytes with K/M/G/T/P up to 1P, 0<speed<=1, milliseconds up to a
 * minute; anything else is refused, naming the item). It calls itself
 * "sim" everywhere and is never reported as a GPU. */
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

/* The settings' ranges: memory up to 1 PiB, start-up up to a minute. */
#define SIM_MEMORY_MAX ((double)(1ull << 50))
#define SIM_STARTUP_MAX_MS 60000.0

static int parse_size(const char *s, size_t *out) {
  double v;
  size_t n = strlen(s);
  double unit = 1;
  char num[64];
  if (n == 0 || n >= sizeof num) return -1;
  memcpy(num, s, n + 1);
  const char *units = "KMGTP";
  const char *u = strchr(units, num[n - 1]);
  if (u && num[n - 1]) {
    for (const char *k = units; k <= u; k++) unit *= 1024;
    num[n - 1] = '\0';
  }
  if (as__parse_double(num, &v) < 0 || !(v >= 0) ||
      !(v * unit <= SIM_MEMORY_MAX))
    return -1;
  *out = (size_t)(v * unit);
  return 0;
}

/* One "key=value" item of ACCELSTRAT_SIM: 0, or -1 with what is wrong with
 * it in why. */
static int parse_item(sim_settings *st, const char *key, const char *value,
                      char *why, size_t len) {
  double v;
  if (strcmp(key, "memory") == 0) {
    if (parse_size(value, &st->memory) == 0) return 0;
    snprintf(why, len, "memory=%.32s: not a size from 0 to 1P", value);
    return -1;
  }
  if (strcmp(key, "speed") == 0) {
    if (as__parse_double(value, &v) == 0 && v > 0 && v <= 1) {
      st->speed = v;
      return 0;
    }
    snprintf(why, len, "speed=%.32s: not a number with 0 < speed <= 1", value);
    return -1;
  }
  if (strcmp(key, "startup") == 0) {
    if (as__parse_double(value, &v) == 0 && v >= 0 && v <= SIM_STARTUP_MAX_MS) {
      st->startup_ms = v;
      return 0;
    }
    snprintf(why, len, "startup=%.32s: not milliseconds from 0 to 60000",
             value);
    return -1;
  }
  static const char *const keys[] = {"memory", "speed", "startup"};
  const char *near = as__parse_nearest(key, keys, 3);
  snprintf(why, len,
           "unknown item '%.32s'%s%s%s; items: memory, speed, startup", key,
           near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
  return -1;
}

static int parse_settings(sim_settings *st, const char *text, char *detail,
                          size_t len) {
  char buf[256];
  if (snprintf(buf, sizeof buf, "%s", text) >= (int)sizeof buf) {
    snprintf(detail, len, "ACCELSTRAT_SIM: longer than %zu bytes",
             sizeof buf - 1);
    return AS_EGPU_UNAVAILABLE;
  }
  for (char *save, *item = strtok_r(buf, ",", &save); item;
       item = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(item, '=');
    char why[128];
    if (!eq) {
      snprintf(why, sizeof why,
               "'%.32s' is not KEY=VALUE (memory=BYTES[K|M|G|T|P], speed=F, "
               "startup=MS)",
               item);
    } else {
      *eq = '\0';
      if (parse_item(st, item, eq + 1, why, sizeof why) == 0) continue;
    }
    snprintf(detail, len, "ACCELSTRAT_SIM: %s", why);
    return AS_EGPU_UNAVAILABLE;
  }
  return 0;
}

int as__sim_settings_check(const char *text, char *detail, size_t len) {
  sim_settings st = defaults;
  return parse_settings(&st, text, detail, len) < 0 ? AS_EINVAL : 0;
}

static int sim_init(as_gpu_info *info, char *detail, size_t len) {
  sim = defaults;
  const char *settings = as__setting_env(AS_SETTING_SIM);
  if (settings && parse_settings(&sim, settings, detail, len) < 0)
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
