/* Near-duplicate analysis of one module: identical functions from identity
 * classes, then the exact candidate search (filter) and align batches through
 * as_run(). */
#ifndef ACCELSTRAT_PLUGIN_ANALYZE_H
#define ACCELSTRAT_PLUGIN_ANALYZE_H

#include <stddef.h>
#include <stdint.h>

#include <accelstrat/accelstrat.h>

#include "module.h"
#include "options.h"

/* The batches of a TU: the candidate search, the alignment of its
 * candidates, and the alignment of the near-duplicates found by their strict
 * tokens (constant values and callees counted). */
enum { ASP_BATCH_FILTER, ASP_BATCH_ALIGN, ASP_BATCH_STRICT, ASP_BATCHES };

typedef struct asp_pair {
  uint32_t f;     /* the function reported (the later of the two) */
  uint32_t g;     /* the function it matches */
  uint32_t lcs;   /* aligned tokens; equal to n_insts when identical */
  uint32_t total; /* n_insts of f + n_insts of g */
  int identical;
  uint32_t strict_lcs;     /* LCS of the strict tokens (= lcs when identical) */
  uint32_t consts_differ;  /* constants that differ (asp_func_differences) */
  uint32_t callees_differ; /* direct callees that differ */
} asp_pair;

typedef struct asp_result {
  size_t analysed;   /* functions with at least min-instructions */
  size_t candidates; /* pairs kept by the filter's bounds (aligned) */
  asp_pair *pairs;   /* in report order */
  size_t n_pairs;
  as_report batch[ASP_BATCHES];
} asp_result;

/* Called with each batch just before it runs (dump=). */
typedef void (*asp_batch_fn)(void *ctx, const as_batch *b);

/* Runs the batches on ex, calling before_run (when not NULL) with each
 * first. The strict data of the functions in near-duplicate pairs are
 * loaded into mod on the way (asp_module_load_strict), just before the
 * strict batch. Returns 0, or a negative as_errno with a message in err. */
int asp_analyze(asp_module *mod, const asp_options *opts, as_executor *ex,
                asp_batch_fn before_run, void *ctx, asp_result *res, char *err,
                size_t errlen);
void asp_result_free(asp_result *res);

/* What differs in a near-duplicate pair: "differs in 4 instructions, 2
 * constants and 1 callee" (the instructions left out of the alignment, and
 * the constants and callees that differ), or, when none of those does, that
 * they are alike but mergefunc would not merge them (types, flags,
 * attributes or its eligibility rules tell them apart). */
void asp_pair_differences(const asp_pair *p, char *buf, size_t len);

/* floor(100 * similarity) of a pair. */
unsigned asp_pair_percent(const asp_pair *p);

#endif
