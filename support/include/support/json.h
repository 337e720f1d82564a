/* A minimal streaming JSON writer shared by the runtime's reports, the
 * plugin's report and metrics records and the benchmarks' results. Commas
 * and nesting are tracked here so callers only say what to write. */
#ifndef ACCELSTRAT_SUPPORT_JSON_H
#define ACCELSTRAT_SUPPORT_JSON_H

#include <stdint.h>
#include <stdio.h>

#define AS_JSON_MAX_DEPTH 16

typedef struct as_json {
  FILE *f;
  int depth;
  int count[AS_JSON_MAX_DEPTH]; /* values written at each level */
} as_json;

void as__json_init(as_json *j, FILE *f);
/* key is NULL inside arrays and at the top level. */
void as__json_object_begin(as_json *j, const char *key);
void as__json_object_end(as_json *j);
void as__json_array_begin(as_json *j, const char *key);
void as__json_array_end(as_json *j);
void as__json_string(as_json *j, const char *key, const char *value);
/* A string that is not NUL-terminated (names borrowed from LLVM). */
void as__json_string_n(as_json *j, const char *key, const char *value,
                       size_t len);
void as__json_u64(as_json *j, const char *key, uint64_t value);
void as__json_i64(as_json *j, const char *key, int64_t value);
/* Finite doubles with enough digits to round-trip; non-finite as null. */
void as__json_double(as_json *j, const char *key, double value);
void as__json_bool(as_json *j, const char *key, int value);
void as__json_null(as_json *j, const char *key);
/* Starts a value that the caller writes whole, as JSON, to the returned
 * stream (a document of another writer, such as as_report_write_json()). */
FILE *as__json_value(as_json *j, const char *key);

/* The length of the well-formed UTF-8 sequence at s[0, n) (1 to 4), or 0
 * when s[0] does not start one. */
size_t as__utf8_len(const unsigned char *s, size_t n);

#endif
