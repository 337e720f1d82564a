#include "support/parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    if (strcmp(s, on[i]) == 0) return 1;
    if (strcmp(s, off[i]) == 0) return 0;
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
