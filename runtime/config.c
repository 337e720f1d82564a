#include <accelstrat/config.h>
#include <accelstrat/error.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
static int parse_fault(const char *text, as_fault *fault, long *chunk) {
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

int as_config_set(as_config *cfg, const char *key, const char *value,
                  char *err, size_t errlen) {
  if (!cfg || !key || !value) return AS_EINVAL;
  if (strcmp(key, "strategy") == 0) {
    as_strategy s;
    if (as_strategy_parse(value, &s) < 0)
      return set_error(err, errlen, BAD_VALUE, key, value, AS_STRATEGY_VALUES);
    cfg->strategy = s;
    return 0;
  }
  if (strcmp(key, "fallback") == 0) {
    int on = as__parse_on_off(value);
    if (on < 0)
      return set_error(err, errlen, BAD_VALUE, key, value, AS_FALLBACK_VALUES);
    cfg->fallback = on;
    return 0;
  }
  if (strcmp(key, "threads") == 0) {
    long n = 0;
    if (strcmp(value, "auto") != 0 &&
        (as__parse_long(value, &n) < 0 || n < 1 || n > 4096))
      return set_error(err, errlen, BAD_VALUE, key, value, AS_THREADS_VALUES);
    cfg->threads = (int)n;
    return 0;
  }
  if (strcmp(key, "inject") == 0) {
    if (parse_fault(value, &cfg->inject, &cfg->inject_chunk) < 0)
      return set_error(err, errlen, BAD_VALUE, key, value, AS_INJECT_VALUES);
    return 0;
  }
  return set_error(err, errlen, "%s: unknown key%s; accepted: %s", key, "",
                   "strategy, fallback, threads, inject");
}

void as_config_defaults(as_config *cfg) {
  cfg->strategy.kind = AS_STRATEGY_AUTO;
  cfg->strategy.gpu_fraction = 0;
  cfg->fallback = 1;
  cfg->threads = 0;
  cfg->inject = AS_FAULT_NONE;
  cfg->inject_chunk = 0;
}

int as_config_init(as_config *cfg, char *err, size_t errlen) {
  static const char *const keys[] = {"strategy", "fallback", "threads",
                                     "inject"};
  if (!cfg) return AS_EINVAL;
  as_config_defaults(cfg);
  if (err && errlen) err[0] = '\0';
  int rc = 0;
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
    char name[64];
    as__env_name(keys[i], name, sizeof name);
    const char *value = getenv(name);
    if (!value) continue;
    char msg[256];
    if (as_config_set(cfg, keys[i], value, msg, sizeof msg) < 0) {
      if (rc == 0 && err && errlen) snprintf(err, errlen, "%s: %s", name, msg);
      rc = AS_EINVAL;
    }
  }
  return rc;
}
