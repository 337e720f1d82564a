/* FNV-1a, 64 bits: the cheap, stable hash of names and paths that files and
 * keys use (index records' checksum, the dump's and the index's file names,
 * accelstrat-report's tables). Not for anything an adversary chooses. */
#ifndef ACCELSTRAT_SUPPORT_FNV_H
#define ACCELSTRAT_SUPPORT_FNV_H

#include <stddef.h>
#include <stdint.h>

#define AS_FNV_OFFSET 0xcbf29ce484222325ull

/* h continued over data[0, len). */
static inline uint64_t as__fnv1a(uint64_t h, const void *data, size_t len) {
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

/* h continued over the characters of s (not its terminator). */
static inline uint64_t as__fnv1a_str(uint64_t h, const char *s) {
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
  return h;
}

#endif
