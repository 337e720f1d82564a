/* accelstrat-report's outputs: text in the compiler's file:line:col: form,
 * JSON, and SARIF 2.1.0 (one result per group, the other members as
 * related locations). */
#ifndef ACCELSTRAT_REPORT_OUTPUT_H
#define ACCELSTRAT_REPORT_OUTPUT_H

#include <stdio.h>

#include "findings.h"
#include "project.h"

typedef enum rp_format { RP_TEXT, RP_JSON, RP_SARIF } rp_format;

void rp_write(FILE *f, rp_format format, const rp_project *p,
              const rp_settings *s, const rp_findings *fd);

#endif
