/* Byte strings built field by field, little-endian, for the index tests:
 * records, ELF objects and archives made by hand. */
#ifndef ACCELSTRAT_TEST_INDEX_BYTES_H
#define ACCELSTRAT_TEST_INDEX_BYTES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct bytes {
  unsigned char b[1 << 16];
  size_t n;
} bytes;

static inline void put(bytes *o, const void *p, size_t n) {
  if (o->n + n > sizeof o->b) abort();
  if (n) memcpy(o->b + o->n, p, n);
  o->n += n;
}

static inline void put_zeros(bytes *o, size_t n) {
  while (n--) put(o, "", 1);
}

/* v in width bytes, width <= 8. */
static inline void put_le(bytes *o, uint64_t v, int width) {
  for (int i = 0; i < width; i++) put(o, &(unsigned char){v >> 8 * i}, 1);
}

static inline void set_le(bytes *o, size_t at, uint64_t v, int width) {
  for (int i = 0; i < width; i++) o->b[at + i] = (unsigned char)(v >> 8 * i);
}

static inline void put_str(bytes *o, const char *s) {
  put_le(o, strlen(s), 4);
  put(o, s, strlen(s));
}

#endif
