/* accelstrat-report's outputs: text in the compiler's file:line:col: form,
 * JSON, SARIF 2.1.0 (one result per group, the other members as related
 * locations), and one self-contained HTML page with the sources (html.c). */
#ifndef ACCELSTRAT_REPORT_OUTPUT_H
#define ACCELSTRAT_REPORT_OUTPUT_H

#include <stdio.h>

#include "findings.h"
#include "project.h"

typedef enum rp_format { RP_TEXT, RP_JSON, RP_SARIF, RP_HTML } rp_format;

void rp_write(FILE *f, rp_format format, const rp_project *p,
              const rp_settings *s, const rp_findings *fd);

/* What every output says the same way (output.c). */
const char *rp_kind(const rp_group *g); /* "identical" or "similar" */
/* "file:line:col" of a function, as far as it is known. */
void rp_where(const asx_func *f, char *buf, size_t len);
/* What differs from the group's first ("differs in 4 instructions"). */
void rp_differs(const rp_member *m, char *buf, size_t len);
/* The similarity range of a near-duplicate group's other members. */
void rp_percent_range(const rp_group *g, unsigned *lo, unsigned *hi);
/* A group in words: "'f' has 1 identical copy (merging saves about 40
 * instructions)", or its near-duplicates, how similar, what they share. */
void rp_headline(FILE *out, const rp_project *p, const rp_group *g);
/* "3 groups (2 identical, 1 similar) in 5 functions of 2 TUs" */
void rp_tally(FILE *out, const rp_project *p, const rp_findings *fd);

/* The HTML page (html.c). */
void rp_write_html(FILE *f, const rp_project *p, const rp_settings *s,
                   const rp_findings *fd);

#endif
