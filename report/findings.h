/* What accelstrat-report finds in a project: groups of identical functions
 * (identity classes across TUs) and groups of near-duplicates (every pair
 * at or above the threshold, by the same exact search the plugin runs on a
 * TU), ranked by what merging them would save. */
#ifndef ACCELSTRAT_REPORT_FINDINGS_H
#define ACCELSTRAT_REPORT_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include <accelstrat/accelstrat.h>

#include "project.h"

typedef struct rp_settings {
  double min_similarity;
  unsigned min_instructions;
  int include_system;
  int exhaustive;             /* every pair aligned, no filter: the reference */
  const char *const *exclude; /* globs (fnmatch, '*' matching '/' too) of
                                 files whose functions are left out */
  size_t n_exclude;
  /* The search's bounds (0: the defaults, 2^20 filter tasks and 2^16
   * pairs a batch); small ones let a test cross every batch boundary. */
  size_t filter_batch_tasks, align_batch_pairs;
} rp_settings;

/* A member of a group, against the group's first. */
typedef struct rp_member {
  uint32_t fn;    /* into rp_project.fns */
  uint32_t lcs;   /* aligned instructions with the first (n_insts when
                     identical, and for the first itself) */
  uint32_t total; /* its n_insts + the first's */
  uint32_t consts_differ, callees_differ;
} rp_member;

typedef struct rp_group {
  int identical;
  rp_member *members; /* the first is members[0] */
  size_t n;
  /* Instructions merging would save: identical, every copy but one;
   * near-duplicates, what each member shares with the first (its LCS). */
  uint64_t saving;
} rp_group;

/* A near-duplicate pair, a < b in report order. */
typedef struct rp_pair {
  uint32_t a, b, lcs, total;
} rp_pair;

typedef struct rp_findings {
  rp_group *groups; /* ranked: most saving first */
  size_t n_groups;
  rp_pair *pairs; /* every near-duplicate pair of representatives */
  size_t n_pairs;
  size_t analysed, representatives, candidates;
  as_report batch[2]; /* the filter and the align batches, each summed */
  size_t filter_batches, align_batches; /* both run in bounded batches */
} rp_findings;

/* What watches the search (any field NULL): each batch's report as it
 * ends (--stats), and the progress, queries searched of the total, and,
 * after each align batch, the candidates aligned of those found so far. */
typedef struct rp_watch {
  void (*batch)(void *ctx, const as_batch *b, const as_report *rep);
  void (*progress)(void *ctx, size_t done, size_t total);
  void *ctx;
  void (*aligned)(void *ctx, size_t aligned, size_t candidates);
} rp_watch;

/* Finds everything in p with ex (watch may be NULL). Returns 0, or a
 * negative as_errno with a message in err. */
int rp_find(const rp_project *p, const rp_settings *s, as_executor *ex,
            const rp_watch *watch, rp_findings *out, char *err, size_t errlen);
void rp_findings_free(rp_findings *f);

/* Report order of two functions: file, line, column, symbol. */
int rp_fn_cmp(const rp_project *p, uint32_t a, uint32_t b);

/* floor(100 * similarity) of a member. */
unsigned rp_percent(uint32_t lcs, uint32_t total);

#endif
