/* An as_report as a value inside a larger JSON document (the plugin's
 * records), through the same writer as as_report_write_json(). */
#ifndef ACCELSTRAT_RUNTIME_REPORT_JSON_H
#define ACCELSTRAT_RUNTIME_REPORT_JSON_H

#include <accelstrat/report.h>

#include "json.h"

void as__report_json(as_json *j, const char *key, const as_report *rep);

#endif
