/* The runtime's allocation path: every heap block the executor and the
 * built-in kernels take goes through here, so that what a run costs in
 * memory can be counted (accelstrat-bench memory) rather than estimated.
 * The counters are process-wide and atomic; a block carries its size in a
 * header so that freeing it updates the live total. */
#ifndef ACCELSTRAT_SUPPORT_ALLOC_H
#define ACCELSTRAT_SUPPORT_ALLOC_H

#include <stddef.h>
#include <stdint.h>

typedef struct as_alloc_stats {
  uint64_t calls; /* successful allocations */
  uint64_t bytes; /* bytes asked for, summed over them */
  uint64_t live;  /* bytes allocated and not yet freed */
  uint64_t peak;  /* the most live bytes at any time */
} as_alloc_stats;

void *as__malloc(size_t size);
void *as__calloc(size_t count, size_t size);
void as__free(void *p); /* NULL is a no-op */

/* The counters now. Safe while other threads allocate (each field is read
 * atomically; the four are not one snapshot). */
void as__alloc_stats_get(as_alloc_stats *s);
/* Sets peak to the live bytes now, to measure the peak of what follows. */
void as__alloc_peak_reset(void);

#endif
