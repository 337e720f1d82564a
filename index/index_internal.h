/* What the index library's files share and its users do not see. */
#ifndef ACCELSTRAT_INDEX_INTERNAL_H
#define ACCELSTRAT_INDEX_INTERNAL_H

#include <stdint.h>

#include "index/index.h"

/* Little-endian fields, read byte by byte (any alignment, any host). */
static inline uint16_t asx__get_u16(const unsigned char *p) {
  return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t asx__get_u32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static inline uint64_t asx__get_u64(const unsigned char *p) {
  return (uint64_t)asx__get_u32(p) | (uint64_t)asx__get_u32(p + 4) << 32;
}

/* A decoded record's storage begins with room for its own asx_tu: this
 * moves *tu there and returns it, a pointer that lives until
 * asx_tu_free(it), as asx_scan hands records out. */
asx_tu *asx__tu_into_storage(asx_tu *tu);

#endif
