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
/* The choice closest to word by edit distance (insertions, deletions,
 * substitutions and swaps of two neighbours, letters compared without
 * case), if it is within 2 edits and closer than any other; NULL
 * otherwise: the "did you mean" of a misspelt key. */
const char *as__parse_nearest(const char *word, const char *const *choices,
                              size_t n);
/* The environment variable that mirrors a key: ACCELSTRAT_MIN_SIMILARITY. */
void as__env_name(const char *key, char *buf, size_t len);

#endif
