/* The plugin's keys: parsed from -fplugin-arg-accelstrat-KEY=VALUE, from
 * opt's -passes='accelstrat<KEY=VALUE;...>' and from ACCELSTRAT_KEY
 * variables; an argument wins over the environment. */
#ifndef ACCELSTRAT_PLUGIN_OPTIONS_H
#define ACCELSTRAT_PLUGIN_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include <accelstrat/config.h>
#include <accelstrat/inject.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum asp_stage { ASP_STAGE_EARLY, ASP_STAGE_LATE } asp_stage;

typedef struct asp_options {
  as_config runtime; /* strategy, fallback, threads */
  as_fault inject;   /* planted in the TU's executor */
  long inject_chunk;
  double min_similarity; /* 0 < x <= 1 */
  unsigned min_instructions;
  asp_stage stage;
  int include_system; /* system-headers=include */
  int exhaustive;     /* search=exhaustive: align every pair */
  char report[4096];  /* "" when no report */
  char metrics[4096]; /* "" when no metrics */
  char dump[4096];    /* "" when batches are not dumped */
  char index[4096];   /* "object", an index directory, or "" (none) */
  int help;
} asp_options;

typedef struct asp_kv {
  const char *key;
  const char *value; /* NULL for a bare key such as "help" */
} asp_kv;

/* Defaults, then the environment, then args (in order; a later one wins).
 * Returns 0, or -1 with a message naming the key and what it accepts in err
 * (the first problem found; opts then holds the defaults). */
int asp_options_resolve(asp_options *opts, const asp_kv *args, size_t n_args,
                        char *err, size_t errlen);

/* Every key with its accepted values and default. */
void asp_options_print_help(FILE *f);

/* Splits "KEY=VALUE" (or a bare "KEY") in place. */
asp_kv asp_kv_split(char *text);

#ifdef __cplusplus
}
#endif

#endif
