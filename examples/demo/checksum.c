/* Checksums over byte buffers. adler_like and adler_like_copy were pasted
 * from each other; fletcher16 has other names and other constants: the same
 * instructions, so 100% similar, but not identical. */
#include <stddef.h>
#include <stdint.h>

#include "demo.h"

uint32_t adler_like(const unsigned char *data, size_t len) {
  uint32_t a = 1, b = 0;
  for (size_t i = 0; i < len; i++) {
    a = (a + data[i]) % 65521;
    b = (b + a) % 65521;
  }
  return (b << 16) | a;
}

uint32_t adler_like_copy(const unsigned char *data, size_t len) {
  uint32_t a = 1, b = 0;
  for (size_t i = 0; i < len; i++) {
    a = (a + data[i]) % 65521;
    b = (b + a) % 65521;
  }
  return (b << 16) | a;
}

uint32_t fletcher16(const unsigned char *bytes, size_t count) {
  uint32_t sum1 = 0, sum2 = 0;
  for (size_t k = 0; k < count; k++) {
    sum1 = (sum1 + bytes[k]) % 255;
    sum2 = (sum2 + sum1) % 255;
  }
  return (sum2 << 8) | sum1;
}
