/* Executor configuration: a plain struct filled by as_config_init() with the
 * defaults and then the ACCELSTRAT_* environment variables. */
#ifndef ACCELSTRAT_CONFIG_H
#define ACCELSTRAT_CONFIG_H

#include <stddef.h>

#include "export.h"

AS_EXTERN_C_BEGIN

typedef enum as_strategy_kind {
  AS_STRATEGY_AUTO = 0,
  AS_STRATEGY_CPU,
  AS_STRATEGY_GPU,
  AS_STRATEGY_HYBRID,       /* dynamic sharing from one queue */
  AS_STRATEGY_HYBRID_STATIC /* fixed fraction of the work to the GPU */
} as_strategy_kind;

typedef struct as_strategy {
  as_strategy_kind kind;
  double gpu_fraction; /* HYBRID_STATIC only: 0 <= F <= 1 */
} as_strategy;

/* Parses auto|cpu|gpu|hybrid|hybrid:F. Returns 0 or AS_EINVAL. */
AS_API int as_strategy_parse(const char *text, as_strategy *out);
/* Writes the canonical spelling ("hybrid:0.7") into buf; returns buf. */
AS_API const char *as_strategy_format(as_strategy s, char *buf, size_t len);
/* Name of a strategy kind without its fraction ("hybrid" for both hybrids). */
AS_API const char *as_strategy_kind_name(as_strategy_kind k);

typedef struct as_config {
  as_strategy strategy; /* default auto */
  int fallback;         /* 1 (default): GPU failures finish on the CPU */
  int threads;          /* 0 (default): as many as the capabilities allow */
} as_config;

/* The accepted values of each runtime key, for help texts and messages. */
#define AS_STRATEGY_VALUES "auto|cpu|gpu|hybrid|hybrid:F (0<=F<=1)"
#define AS_FALLBACK_VALUES "on|off (or yes|no, true|false, 1|0; any case)"
#define AS_THREADS_VALUES "N (1<=N<=4096)|auto"

/* The defaults alone, ignoring the environment. */
AS_API void as_config_defaults(as_config *cfg);

/* Applies the defaults, then ACCELSTRAT_STRATEGY, ACCELSTRAT_FALLBACK and
 * ACCELSTRAT_THREADS. On a bad variable it returns AS_EINVAL, keeps the
 * default for that key and, if err is not NULL, writes a message naming the
 * variable and the accepted values. */
AS_API int as_config_init(as_config *cfg, char *err, size_t errlen);

/* Sets one runtime key ("strategy", "fallback", "threads").
 * Returns 0, or AS_EINVAL with a message in err (unknown key or bad value);
 * cfg is unchanged on error. */
AS_API int as_config_set(as_config *cfg, const char *key, const char *value,
                         char *err, size_t errlen);

/* The runtime's settings, for help texts and messages: the keys above,
 * then those read from the environment alone (ACCELSTRAT_GPU, ...). */
typedef struct as_setting {
  const char *name;     /* "strategy", "gpu-slots" */
  const char *env;      /* its variable: "ACCELSTRAT_STRATEGY" */
  const char *accepted; /* the values it takes */
  const char *default_value;
  const char *what; /* one line on what it does */
  int env_only;     /* 1: process-wide, not a key of as_config */
} as_setting;

/* Setting i (from 0), NULL past the last. */
AS_API const as_setting *as_setting_at(size_t i);

/* Checks the settings read from the environment alone where they are
 * used (ACCELSTRAT_GPU, ACCELSTRAT_GPU_SLOTS, ACCELSTRAT_SIM), so that a
 * tool can refuse a bad one at once instead of meeting it as a fallback:
 * 0, or AS_EINVAL with a message naming the variable and what it accepts. */
AS_API int as_config_check_environment(char *err, size_t errlen);

AS_EXTERN_C_END

#endif
