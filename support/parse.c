#include "support/parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int as__parse_long(const char *s, long *out) {
  if (!s || !*s || isspace((unsigned char)*s)) return -1;
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end) return -1;
  *out = v;
  return 0;
}

int as__parse_double(const char *s, double *out) {
  if (!s || !*s || isspace((unsigned char)*s)) return -1;
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || *end || !isfinite(v)) return -1;
  *out = v;
  return 0;
}

int as__parse_on_off(const char *s) {
  static const char *const on[] = {"on", "true", "yes", "1"};
  static const char *const off[] = {"off", "false", "no", "0"};
  for (size_t i = 0; i < 4; i++) {
    if (strcasecmp(s, on[i]) == 0) return 1;
    if (strcasecmp(s, off[i]) == 0) return 0;
  }
  return -1;
}

/* ACCELSTRAT_ + the key in upper case with '-' as '_'. */
void as__env_name(const char *key, char *buf, size_t len) {
  size_t n = (size_t)snprintf(buf, len, "ACCELSTRAT_");
  for (; *key && n + 1 < len; key++, n++)
    buf[n] = *key == '-' ? '_' : (char)toupper((unsigned char)*key);
  buf[n < len ? n : len - 1] = '\0';
}

/* Optimal string alignment distance of a and b (at most 63 bytes each;
 * longer words are never near). */
static int distance(const char *a, const char *b) {
  const size_t la = strlen(a), lb = strlen(b);
  if (la > 63 || lb > 63) return 99;
  int d[64][64];
  for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
  for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      int cost =
          tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
      int v = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
      if (d[i - 1][j - 1] + cost < v) v = d[i - 1][j - 1] + cost;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
          d[i - 2][j - 2] + 1 < v)
        v = d[i - 2][j - 2] + 1;
      d[i][j] = v;
    }
  return d[la][lb];
}

const char *as__parse_nearest(const char *word, const char *const *choices,
                              size_t n) {
  const char *best = NULL;
  int best_d = 3, ties = 0;
  for (size_t i = 0; i < n; i++) {
    int d = distance(word, choices[i]);
    if (d < best_d)
      best = choices[i], best_d = d, ties = 0;
    else if (d == best_d)
      ties++;
  }
  return ties ? NULL : best;
}
