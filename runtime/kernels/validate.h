/* Host-side input checks of the built-in kernels, shared by their CPU
 * functions (kernels.c) and the CUDA backend, so that both reject the same
 * batches with AS_EINVAL, before computing or copying anything. Offsets must
 * not decrease: a chunk's input is the one range [offsets[begin],
 * offsets[end]). */
#ifndef ACCELSTRAT_KERNELS_VALIDATE_H
#define ACCELSTRAT_KERNELS_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include <accelstrat/error.h>
#include <accelstrat/kernels.h>

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

static inline int as__check_fingerprint(const as_batch *b, size_t begin,
                                            size_t end) {
  if (!as__offsets_ascend(b, begin, end)) return AS_EINVAL;
  for (size_t i = begin; i < end; i++) {
    size_t size;
    const void *tokens = as_task_input(b, i, &size);
    if (size % sizeof(uint32_t) != 0 ||
        size / sizeof(uint32_t) > UINT32_MAX || !as__token_aligned(tokens))
      return AS_EINVAL;
  }
  return 0;
}

/* The shared block's header, or NULL when the block is missing, misaligned,
 * shorter than its n signatures or has a field outside its documented range. */
static inline const as_candidates_shared *as__candidates_header(
    const as_batch *b) {
  const as_candidates_shared *hdr = (const as_candidates_shared *)b->shared;
  if (!hdr || !as__token_aligned(hdr) || b->shared_size < sizeof *hdr)
    return NULL;
  if ((b->shared_size - sizeof *hdr) / sizeof(as_signature) < hdr->n ||
      hdr->min_matches > AS_MINHASH_K || hdr->max_out == 0 ||
      hdr->max_out > AS_CANDIDATES_MAX || hdr->reserved != 0)
    return NULL;
  return hdr;
}

static inline int as__check_candidates(const as_batch *b, size_t begin,
                                           size_t end) {
  (void)begin;
  const as_candidates_shared *hdr = as__candidates_header(b);
  return !hdr || end > hdr->n ? AS_EINVAL : 0;
}

/* Task i's header, or NULL when the task is misaligned or its size is not
 * exactly that of its header and tokens. */
static inline const as_align_task *as__align_task(const as_batch *b,
                                                      size_t i) {
  size_t size;
  const as_align_task *task = (const as_align_task *)as_task_input(b, i, &size);
  if (size < sizeof *task || !as__token_aligned(task)) return NULL;
  uint64_t tokens = (uint64_t)task->len_a + task->len_b;
  if (tokens > UINT32_MAX ||
      (uint64_t)size != sizeof *task + tokens * sizeof(uint32_t))
    return NULL;
  return task;
}

static inline int as__check_align(const as_batch *b, size_t begin,
                                      size_t end) {
  if (!as__offsets_ascend(b, begin, end)) return AS_EINVAL;
  for (size_t i = begin; i < end; i++)
    if (!as__align_task(b, i)) return AS_EINVAL;
  return 0;
}

#endif
