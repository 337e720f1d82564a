#include <accelstrat/config.h>
#include <accelstrat/error.h>
#include <accelstrat/inject.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"
#include "gpu/gpu.h"
#include "gpu/slots.h"
#include "support/parse.h"

static const struct {
  const char *name;
  as_strategy_kind kind;
} strategy_names[] = {
    {"auto", AS_STRATEGY_AUTO},
    {"cpu", AS_STRATEGY_CPU},
    {"gpu", AS_STRATEGY_GPU},
    {"hybrid", AS_STRATEGY_HYBRID},
};

int as_strategy_parse(const char *text, as_strategy *out) {
  if (!text || !out) return AS_EINVAL;
  for (size_t i = 0; i < sizeof strategy_names / sizeof *strategy_names; i++) {
    if (strcmp(text, strategy_names[i].name) == 0) {
      out->kind = strategy_names[i].kind;
      out->gpu_fraction = 0;
      return 0;
    }
  }
  if (strncmp(text, "hybrid:", 7) == 0) {
    double f;
    if (as__parse_double(text + 7, &f) < 0 || f < 0 || f > 1) return AS_EINVAL;
    out->kind = AS_STRATEGY_HYBRID_STATIC;
    out->gpu_fraction = f;
    return 0;
  }
  return AS_EINVAL;
}

const char *as_strategy_kind_name(as_strategy_kind k) {
  switch (k) {
  case AS_STRATEGY_AUTO: return "auto";
  case AS_STRATEGY_CPU: return "cpu";
  case AS_STRATEGY_GPU: return "gpu";
  case AS_STRATEGY_HYBRID:
  case AS_STRATEGY_HYBRID_STATIC: return "hybrid";
  }
  return "unknown";
}

const char *as_strategy_format(as_strategy s, char *buf, size_t len) {
  if (s.kind == AS_STRATEGY_HYBRID_STATIC)
    snprintf(buf, len, "hybrid:%g", s.gpu_fraction);
  else
    snprintf(buf, len, "%s", as_strategy_kind_name(s.kind));
  return buf;
}

static int set_error(char *err, size_t errlen, const char *fmt, const char *key,
                     const char *value, const char *accepted) {
  if (err && errlen) snprintf(err, errlen, fmt, key, value, accepted);
  return AS_EINVAL;
}

#define BAD_VALUE "%s: invalid value '%s'; accepted: %s"

/* gpu-unavailable | gpu-oom[@CHUNK] | gpu-driver-error[@CHUNK] | none */
int as_fault_parse(const char *text, as_fault *fault, long *chunk) {
  if (!text || !fault || !chunk) return AS_EINVAL;
  static const struct {
    const char *name;
    as_fault fault;
  } faults[] = {{"none", AS_FAULT_NONE},
                {"gpu-unavailable", AS_FAULT_GPU_UNAVAILABLE},
                {"gpu-oom", AS_FAULT_GPU_OOM},
                {"gpu-driver-error", AS_FAULT_GPU_DRIVER_ERROR}};
  const char *at = strchr(text, '@');
  size_t len = at ? (size_t)(at - text) : strlen(text);
  for (size_t i = 0; i < sizeof faults / sizeof *faults; i++) {
    if (strlen(faults[i].name) != len || strncmp(text, faults[i].name, len))
      continue;
    long c = 0;
    int takes_chunk = faults[i].fault == AS_FAULT_GPU_OOM ||
                      faults[i].fault == AS_FAULT_GPU_DRIVER_ERROR;
    if (at && (!takes_chunk || as__parse_long(at + 1, &c) < 0 || c < 0))
      return AS_EINVAL;
    *fault = faults[i].fault;
    *chunk = c;
    return 0;
  }
  return AS_EINVAL;
}

typedef int (*setter_fn)(as_config *cfg, const char *value);

static int set_strategy(as_config *cfg, const char *value) {
  return as_strategy_parse(value, &cfg->strategy);
}

static int set_fallback(as_config *cfg, const char *value) {
  int on = as__parse_on_off(value);
  if (on < 0) return AS_EINVAL;
  cfg->fallback = on;
  return 0;
}

static int set_threads(as_config *cfg, const char *value) {
  long n = 0;
  if (strcmp(value, "auto") != 0 &&
      (as__parse_long(value, &n) < 0 || n < 1 || n > 4096))
    return AS_EINVAL;
  cfg->threads = (int)n;
  return 0;
}

/* The setter of each key of as_config; the others are read from the
 * environment where they are used. */
static const setter_fn setters[AS_SETTING_COUNT] = {
    [AS_SETTING_STRATEGY] = set_strategy,
    [AS_SETTING_FALLBACK] = set_fallback,
    [AS_SETTING_THREADS] = set_threads,
};

static struct {
  as_setting info;
  char env[48];
} settings[AS_SETTING_COUNT] = {
#define AS_SETTING_ROW(id, name, env_only, accepted, dflt, what)               \
  [AS_SETTING_##id] = {{name, NULL, accepted, dflt, what, env_only}, ""},
    AS_SETTING_MAP(AS_SETTING_ROW)
#undef AS_SETTING_ROW
};
static char key_names[128]; /* "strategy, fallback, ...": for messages */

static pthread_once_t settings_once = PTHREAD_ONCE_INIT;

static void settings_fill(void) {
  size_t n = 0;
  for (size_t i = 0; i < AS_SETTING_COUNT; i++) {
    as__env_name(settings[i].info.name, settings[i].env,
                 sizeof settings[i].env);
    settings[i].info.env = settings[i].env;
    if (setters[i] && n < sizeof key_names)
      n += (size_t)snprintf(key_names + n, sizeof key_names - n, "%s%s",
                            n ? ", " : "", settings[i].info.name);
  }
}

static void settings_ready(void) {
  pthread_once(&settings_once, settings_fill);
}

const as_setting *as_setting_at(size_t i) {
  settings_ready();
  return i < AS_SETTING_COUNT ? &settings[i].info : NULL;
}

const char *as__setting_env_name(as_setting_id id) {
  settings_ready();
  return settings[id].env;
}

const char *as__setting_env(as_setting_id id) {
  return getenv(as__setting_env_name(id));
}

int as_config_set(as_config *cfg, const char *key, const char *value, char *err,
                  size_t errlen) {
  if (!cfg || !key || !value) return AS_EINVAL;
  settings_ready();
  for (size_t i = 0; i < AS_SETTING_COUNT; i++) {
    if (!setters[i] || strcmp(key, settings[i].info.name) != 0) continue;
    as_config changed = *cfg;
    if (setters[i](&changed, value) < 0)
      return set_error(err, errlen, BAD_VALUE, key, value,
                       settings[i].info.accepted);
    *cfg = changed;
    return 0;
  }
  return set_error(err, errlen, "%s: unknown key%s; accepted: %s", key, "",
                   key_names);
}

void as_config_defaults(as_config *cfg) {
  cfg->strategy.kind = AS_STRATEGY_AUTO;
  cfg->strategy.gpu_fraction = 0;
  cfg->fallback = 1;
  cfg->threads = 0;
}

int as_config_init(as_config *cfg, char *err, size_t errlen) {
  if (!cfg) return AS_EINVAL;
  as_config_defaults(cfg);
  if (err && errlen) err[0] = '\0';
  settings_ready();
  int rc = 0;
  for (size_t i = 0; i < AS_SETTING_COUNT; i++) {
    const char *value = setters[i] ? getenv(settings[i].env) : NULL;
    if (!value) continue;
    char msg[256];
    if (as_config_set(cfg, settings[i].info.name, value, msg, sizeof msg) < 0) {
      if (rc == 0 && err && errlen)
        snprintf(err, errlen, "%s: %s", settings[i].env, msg);
      rc = AS_EINVAL;
    }
  }
  return rc;
}

int as_config_check_environment(char *err, size_t errlen) {
  char msg[256] = "";
  const char *gpu = as__setting_env(AS_SETTING_GPU);
  const char *sim = as__setting_env(AS_SETTING_SIM);
  if (gpu && strcmp(gpu, "cuda") && strcmp(gpu, "sim") && strcmp(gpu, "off"))
    snprintf(msg, sizeof msg, "%s=\"%.64s\": accepted: cuda|sim|off",
             as__setting_env_name(AS_SETTING_GPU), gpu);
  else if (as__gpu_slots_configured(msg, sizeof msg) < 0)
    ; /* said in msg */
  else if (sim && as__sim_settings_check(sim, msg, sizeof msg) < 0)
    ;
  else
    return 0;
  if (err && errlen) snprintf(err, errlen, "%s", msg);
  return AS_EINVAL;
}
