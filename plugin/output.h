/* The record of one TU — its pairs and its batches — as JSON, written to the
 * report file or appended as one line to the metrics file. */
#ifndef ACCELSTRAT_PLUGIN_OUTPUT_H
#define ACCELSTRAT_PLUGIN_OUTPUT_H

#include <stdio.h>

#include "analyze.h"
#include "location.h"
#include "module.h"

/* What the outputs show of a function, filled for the functions of pairs. */
typedef struct asp_view {
  char *name; /* demangled */
  asp_location loc;
} asp_view;

typedef struct asp_record {
  const char *tu;
  const asp_options *opts;
  const asp_module *mod;
  const asp_result *res;
  const asp_view *views; /* indexed like mod->funcs */
  uint64_t total_ns;     /* the plugin's time on the TU, frontend_ns included */
  uint64_t frontend_ns;  /* of which recording where functions are defined */
  uint64_t cpu_ns;       /* the process's CPU time in the same (all threads) */
} asp_record;

void asp_record_write(const asp_record *r, FILE *f);

/* Writes the record to path, replacing it. Returns 0 or -1 with errno. */
int asp_report_write(const asp_record *r, const char *path);

/* Appends the record as one line, atomically with respect to other compiles
 * appending to the same file. Returns 0 or -1 with errno. */
int asp_metrics_append(const asp_record *r, const char *path);

#endif
