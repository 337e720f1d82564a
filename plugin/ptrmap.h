/* A map from pointers (LLVM values, types and metadata) to 64-bit values,
 * for the module walk. Open addressing. A slot is live only while its
 * generation matches the map's, so the per-function map is emptied in O(1)
 * however large an earlier function made it. A zeroed map is empty. */
#ifndef ACCELSTRAT_PLUGIN_PTRMAP_H
#define ACCELSTRAT_PLUGIN_PTRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ptr_slot {
  const void *key;
  uint64_t value;
  uint32_t generation;
} ptr_slot;

typedef struct ptr_map {
  ptr_slot *slots;
  size_t capacity; /* 0 or a power of two */
  size_t size;
  uint32_t generation;
} ptr_map;

/* Whether key is in m, and then its value. */
bool ptr_map_get(const ptr_map *m, const void *key, uint64_t *value);
/* Adds key or replaces its value; false when m cannot grow (m unchanged). */
bool ptr_map_put(ptr_map *m, const void *key, uint64_t value);
/* Empties m in O(1), keeping its slots. */
void ptr_map_clear(ptr_map *m);
void ptr_map_free(ptr_map *m);

#endif
