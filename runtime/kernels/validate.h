/* What the built-in kernels' host-side input checks share. Each kernel's
 * checks sit beside its math (filter.h, align.h), used by its CPU function
 * (kernels.c), by the CUDA backend, and by batch files through the
 * registry, so that all reject the same batches with AS_EINVAL before
 * computing or copying anything. Offsets must not decrease: a chunk's input
 * is the one range [offsets[begin], offsets[end]). */
#ifndef ACCELSTRAT_KERNELS_VALIDATE_H
#define ACCELSTRAT_KERNELS_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include <accelstrat/error.h>
#include <accelstrat/kernel.h>

static inline int as__token_aligned(const void *p) {
  return (uintptr_t)p % sizeof(uint32_t) == 0;
}

static inline int as__offsets_ascend(const as_batch *b, size_t begin,
                                     size_t end) {
  if (!b->offsets) return 1;
  for (size_t i = begin; i < end; i++)
    if (b->offsets[i + 1] < b->offsets[i]) return 0;
  return 1;
}

#endif
