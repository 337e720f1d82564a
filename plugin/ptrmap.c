/* The pointer-keyed map (ptrmap.h). */
#include "ptrmap.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"

static size_t ptr_map_home(const ptr_map *m, const void *key) {
  return (size_t)as_mix64((uint64_t)(uintptr_t)key) & (m->capacity - 1);
}

bool ptr_map_get(const ptr_map *m, const void *key, uint64_t *value) {
  if (m->capacity == 0) return false;
  for (size_t i = ptr_map_home(m, key);; i = (i + 1) & (m->capacity - 1)) {
    const ptr_slot *s = &m->slots[i];
    if (s->generation != m->generation) return false;
    if (s->key == key) {
      *value = s->value;
      return true;
    }
  }
}

/* Stores without growing; the caller guarantees a free slot. */
static void ptr_map_store(ptr_map *m, const void *key, uint64_t value) {
  for (size_t i = ptr_map_home(m, key);; i = (i + 1) & (m->capacity - 1)) {
    ptr_slot *s = &m->slots[i];
    if (s->generation != m->generation) {
      *s = (ptr_slot){key, value, m->generation};
      m->size++;
      return;
    }
    if (s->key == key) {
      s->value = value;
      return;
    }
  }
}

static bool ptr_map_grow(ptr_map *m) {
  size_t capacity = m->capacity ? m->capacity * 2 : 64;
  ptr_slot *slots = calloc(capacity, sizeof *slots);
  if (!slots) return false;
  ptr_map old = *m;
  *m = (ptr_map){slots, capacity, 0, 1};
  for (size_t i = 0; i < old.capacity; i++)
    if (old.slots[i].generation == old.generation)
      ptr_map_store(m, old.slots[i].key, old.slots[i].value);
  free(old.slots);
  return true;
}

bool ptr_map_put(ptr_map *m, const void *key, uint64_t value) {
  if ((m->size + 1) * 2 > m->capacity && !ptr_map_grow(m)) return false;
  ptr_map_store(m, key, value);
  return true;
}

void ptr_map_clear(ptr_map *m) {
  m->size = 0;
  if (++m->generation == 0) {
    memset(m->slots, 0, m->capacity * sizeof *m->slots);
    m->generation = 1;
  }
}

void ptr_map_free(ptr_map *m) {
  free(m->slots);
  *m = (ptr_map){0};
}
