/* The exact near-duplicate search over token streams, as the plugin runs it
 * on a TU and accelstrat-report on a whole project: the candidate pairs
 * (the filter kernel keeps exactly the pairs whose proven bounds reach the
 * threshold; or every pair), then one align batch for their LCS, both
 * through as_run on the caller's executor. Public runtime API only. */
#ifndef ACCELSTRAT_SEARCH_SEARCH_H
#define ACCELSTRAT_SEARCH_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include <accelstrat/accelstrat.h>

/* Called with each batch just before it runs (the plugin's dump=). */
typedef void (*ass_batch_fn)(void *ctx, const as_batch *b);

/* Called with each batch's report just after it ran (accelstrat-report's
 * --stats). */
typedef void (*ass_report_fn)(void *ctx, const as_batch *b,
                              const as_report *rep);

typedef struct ass_runner {
  as_executor *ex;
  ass_batch_fn before_run; /* or NULL */
  void *ctx;
  ass_report_fn after_run; /* or NULL; with ctx */
} ass_runner;

/* The candidate pairs of streams tokens[0, n) (len[i] tokens each), each
 * once as (a << 32 | b) with a < b, into *pairs (malloc'ed, *n_pairs):
 * with exhaustive every pair and no batch, else those the filter batch
 * keeps for min_similarity (its report in *rep). Returns 0 or a negative
 * as_errno, with a message in err for a failed batch. */
int ass_candidates(const ass_runner *rn, const uint32_t *const *tokens,
                   const uint32_t *len, size_t n, double min_similarity,
                   int exhaustive, uint64_t **pairs, size_t *n_pairs,
                   as_report *rep, char *err, size_t errlen);

/* The report of a search's batches as one: counts, work, times,
 * predictions and tasks per device summed, events in order (those beyond
 * AS_MAX_EVENTS counted as dropped), the most threads any batch used, the
 * first error; the first batch's choice and reason, to which _end appends
 * how many batches there were and, when they chose differently, how many
 * chose each strategy. Start with {rep} (rep's old contents are replaced
 * by the first batch's). */
typedef struct ass_report_sum {
  as_report *rep;
  size_t batches;
  size_t chose[AS_STRATEGY_HYBRID_STATIC + 1];
} ass_report_sum;
void ass_report_sum_add(ass_report_sum *sum, const as_report *r);
void ass_report_sum_end(ass_report_sum *sum);

/* Takes a chunk of n candidate pairs (as ass_candidates gives them, n may be
 * 0), once `done` of the search's `total` queries (rows for exhaustive) have
 * been searched; returns 0 to go on, or a negative as_errno (with a message
 * in err) to stop. */
typedef int (*ass_pairs_fn)(void *ctx, const uint64_t *pairs, size_t n,
                            size_t done, size_t total, char *err,
                            size_t errlen);

/* ass_candidates in bounded memory, for a search too large for one batch
 * (a project's): filter batches of at most max_tasks tasks each (whole
 * queries; a query of more tasks runs alone), each batch's candidates
 * handed to fn before the next runs; with exhaustive every pair, in chunks
 * of at most max_tasks pairs. *rep sums the batches' reports (counts,
 * times, tasks per device and events summed; the first batch's choice,
 * its reason telling how many batches chose what); *batches counts the batches
 * (0 for exhaustive). Every candidate ass_candidates finds is handed to fn
 * exactly once. Returns as ass_candidates, or fn's error. */
int ass_candidates_each(const ass_runner *rn, const uint32_t *const *tokens,
                        const uint32_t *len, size_t n, double min_similarity,
                        int exhaustive, size_t max_tasks, ass_pairs_fn fn,
                        void *ctx, as_report *rep, size_t *batches, char *err,
                        size_t errlen);

/* The LCS of each of the n pairs (a << 32 | b, any order of a and b) of
 * streams tokens[]/len[]: align batches of at most max_pairs pairs (0: one
 * batch), so that a batch's data (both streams of every pair) stay bounded
 * however many pairs there are; *rep sums the batches' reports (as
 * ass_candidates_each's), *out malloc'ed with one result per pair. Returns as
 * ass_candidates. */
int ass_align(const ass_runner *rn, const uint32_t *const *tokens,
              const uint32_t *len, const uint64_t *pairs, size_t n,
              size_t max_pairs, as_report *rep, as_align_out **out, char *err,
              size_t errlen);

/* How many elements of two sorted multisets differ: max(|A \ B|, |B \ A|)
 * (the constants or the callees that differ between two functions). */
static inline uint32_t ass_multiset_difference(const uint64_t *a, uint32_t na,
                                               const uint64_t *b, uint32_t nb) {
  uint32_t i = 0, j = 0, only_a = 0, only_b = 0;
  while (i < na && j < nb) {
    if (a[i] < b[j]) {
      only_a++;
      i++;
    } else if (b[j] < a[i]) {
      only_b++;
      j++;
    } else {
      i++;
      j++;
    }
  }
  only_a += na - i;
  only_b += nb - j;
  return only_a > only_b ? only_a : only_b;
}

/* What differs in a near-duplicate pair: "differs in 4 instructions, 2
 * constants and 1 callee" (the instructions left out of the alignment, the
 * constants and the callees that differ), or, when none of those does,
 * that they are alike but mergefunc would not merge them. */
void ass_differences(unsigned instructions, unsigned consts, unsigned callees,
                     char *buf, size_t len);

#endif
