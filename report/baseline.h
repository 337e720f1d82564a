/* --baseline FILE: the findings of an earlier report (its JSON or its
 * SARIF), by fingerprint, so that only new ones count. */
#ifndef ACCELSTRAT_REPORT_BASELINE_H
#define ACCELSTRAT_REPORT_BASELINE_H

#include <stddef.h>

#include "findings.h"
#include "project.h"

typedef struct rp_baseline {
  char **prints; /* sorted */
  size_t n;
} rp_baseline;

/* What identifies a group from one report to the next: its kind, its
 * first member's symbol and file ("identical:parse_line:src/a.c"). */
void rp_fingerprint(const rp_project *p, const rp_group *g, char *buf,
                    size_t len);

/* The fingerprints of the report at path: the values of its
 * "fingerprint" (JSON) or "accelstratGroup/v1" (SARIF) strings. Returns 0,
 * or -1 with a message in err (unreadable, or no report of ours). */
int rp_baseline_load(const char *path, rp_baseline *b, char *err,
                     size_t errlen);
int rp_baseline_has(const rp_baseline *b, const char *print);
void rp_baseline_free(rp_baseline *b);

#endif
