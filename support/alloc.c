/* The runtime's counted allocation path (alloc.h). */
#include "support/alloc.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

/* A block's header: its size, padded so the caller's block keeps malloc's
 * alignment. */
#define HEADER (sizeof(max_align_t))

static atomic_uint_fast64_t calls, bytes, live, peak;

static void *counted(unsigned char *block, size_t size) {
  if (!block) return NULL;
  *(size_t *)block = size;
  atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&bytes, size, memory_order_relaxed);
  uint_fast64_t now =
      atomic_fetch_add_explicit(&live, size, memory_order_relaxed) + size;
  uint_fast64_t high = atomic_load_explicit(&peak, memory_order_relaxed);
  while (now > high &&
         !atomic_compare_exchange_weak_explicit(
             &peak, &high, now, memory_order_relaxed, memory_order_relaxed)) {
  }
  return block + HEADER;
}

void *as__malloc(size_t size) {
  if (size > SIZE_MAX - HEADER) return NULL;
  return counted(malloc(HEADER + size), size);
}

void *as__calloc(size_t count, size_t size) {
  if (size && count > (SIZE_MAX - HEADER) / size) return NULL;
  return counted(calloc(1, HEADER + count * size), count * size);
}

void as__free(void *p) {
  if (!p) return;
  unsigned char *block = (unsigned char *)p - HEADER;
  atomic_fetch_sub_explicit(&live, *(size_t *)block, memory_order_relaxed);
  free(block);
}

void as__alloc_stats_get(as_alloc_stats *s) {
  s->calls = atomic_load_explicit(&calls, memory_order_relaxed);
  s->bytes = atomic_load_explicit(&bytes, memory_order_relaxed);
  s->live = atomic_load_explicit(&live, memory_order_relaxed);
  s->peak = atomic_load_explicit(&peak, memory_order_relaxed);
}

void as__alloc_peak_reset(void) {
  atomic_store_explicit(&peak,
                        atomic_load_explicit(&live, memory_order_relaxed),
                        memory_order_relaxed);
}
