/* Strict parsers for option values: the whole text must be consumed, so
 * "8x" or "0.5 " are errors rather than silently truncated. Shared by the
 * runtime's configuration and the plugin's arguments. */
#ifndef ACCELSTRAT_SUPPORT_PARSE_H
#define ACCELSTRAT_SUPPORT_PARSE_H

#include <stddef.h>

int as__parse_long(const char *s, long *out);
int as__parse_double(const char *s, double *out);
/* 1 for on/true/yes/1, 0 for off/false/no/0, -1 otherwise. */
int as__parse_on_off(const char *s);
/* The environment variable that mirrors a key: ACCELSTRAT_MIN_SIMILARITY. */
void as__env_name(const char *key, char *buf, size_t len);

#endif
