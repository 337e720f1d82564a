#include "support/json.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void as__json_init(as_json *j, FILE *f) {
  j->f = f;
  j->depth = 0;
  j->count[0] = 0;
}

size_t as__utf8_len(const unsigned char *s, size_t n) {
  size_t k;
  unsigned lo = 0x80, hi = 0xBF;
  if (n == 0) return 0;
  if (s[0] < 0x80) return 1;
  if (s[0] >= 0xC2 && s[0] <= 0xDF)
    k = 2;
  else if (s[0] >= 0xE0 && s[0] <= 0xEF)
    k = 3, lo = s[0] == 0xE0 ? 0xA0 : 0x80, hi = s[0] == 0xED ? 0x9F : 0xBF;
  else if (s[0] >= 0xF0 && s[0] <= 0xF4)
    k = 4, lo = s[0] == 0xF0 ? 0x90 : 0x80, hi = s[0] == 0xF4 ? 0x8F : 0xBF;
  else
    return 0;
  if (n < k || s[1] < lo || s[1] > hi) return 0;
  for (size_t i = 2; i < k; i++)
    if (s[i] < 0x80 || s[i] > 0xBF) return 0;
  return k;
}

/* A JSON string of s[0, len): well-formed UTF-8 as it is, and each byte
 * that is not part of it (a file name in Latin-1, say) as the lone
 * surrogate U+DC00 + byte, "\udce9" for 0xE9, so that nothing is lost:
 * Python's json.loads and .encode("utf-8", "surrogateescape") give the
 * bytes back (PEP 383), and no reader fails on invalid UTF-8. */
static void put_escaped(FILE *f, const char *s, size_t len) {
  const unsigned char *u = (const unsigned char *)s;
  fputc('"', f);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = u[i];
    if (c >= 0x80) {
      size_t k = as__utf8_len(u + i, len - i);
      if (k == 0)
        fprintf(f, "\\u%04x", 0xDC00u + c);
      else
        fwrite(u + i, 1, k, f), i += k - 1;
      continue;
    }
    switch (c) {
    case '"': fputs("\\\"", f); break;
    case '\\': fputs("\\\\", f); break;
    case '\n': fputs("\\n", f); break;
    case '\r': fputs("\\r", f); break;
    case '\t': fputs("\\t", f); break;
    default:
      if (c < 0x20)
        fprintf(f, "\\u%04x", c);
      else
        fputc(c, f);
    }
  }
  fputc('"', f);
}

/* Writes the separator and key that precede every value. */
static void begin_value(as_json *j, const char *key) {
  if (j->count[j->depth]++ > 0) fputc(',', j->f);
  if (key) {
    put_escaped(j->f, key, strlen(key));
    fputc(':', j->f);
  }
}

static void nest_open(as_json *j, const char *key, char c) {
  begin_value(j, key);
  fputc(c, j->f);
  if (j->depth + 1 < AS_JSON_MAX_DEPTH) j->depth++;
  j->count[j->depth] = 0;
}

static void nest_close(as_json *j, char c) {
  fputc(c, j->f);
  if (j->depth > 0) j->depth--;
}

void as__json_object_begin(as_json *j, const char *key) {
  nest_open(j, key, '{');
}
void as__json_object_end(as_json *j) { nest_close(j, '}'); }
void as__json_array_begin(as_json *j, const char *key) {
  nest_open(j, key, '[');
}
void as__json_array_end(as_json *j) { nest_close(j, ']'); }

void as__json_string_n(as_json *j, const char *key, const char *value,
                       size_t len) {
  begin_value(j, key);
  if (value)
    put_escaped(j->f, value, len);
  else
    fputs("null", j->f);
}

void as__json_string(as_json *j, const char *key, const char *value) {
  as__json_string_n(j, key, value, value ? strlen(value) : 0);
}

void as__json_u64(as_json *j, const char *key, uint64_t value) {
  begin_value(j, key);
  fprintf(j->f, "%" PRIu64, value);
}

void as__json_i64(as_json *j, const char *key, int64_t value) {
  begin_value(j, key);
  fprintf(j->f, "%" PRId64, value);
}

void as__json_double(as_json *j, const char *key, double value) {
  begin_value(j, key);
  if (!isfinite(value)) {
    fputs("null", j->f);
    return;
  }
  /* The shortest of %.15g..%.17g that reads back as the same double. */
  char buf[32];
  for (int digits = 15; digits <= 17; digits++) {
    snprintf(buf, sizeof buf, "%.*g", digits, value);
    if (strtod(buf, NULL) == value) break;
  }
  fputs(buf, j->f);
}

void as__json_bool(as_json *j, const char *key, int value) {
  begin_value(j, key);
  fputs(value ? "true" : "false", j->f);
}

void as__json_null(as_json *j, const char *key) {
  begin_value(j, key);
  fputs("null", j->f);
}

FILE *as__json_value(as_json *j, const char *key) {
  begin_value(j, key);
  return j->f;
}
