/* The align kernel's host side shared by its CPU function (kernels.c) and
 * the CUDA backend: a task's header and its input checks (validate.h). The
 * per-task math is lcs.h. */
#ifndef ACCELSTRAT_KERNELS_ALIGN_H
#define ACCELSTRAT_KERNELS_ALIGN_H

#include <stddef.h>
#include <stdint.h>

#include <accelstrat/error.h>
#include <accelstrat/kernels.h>

#include "validate.h"

/* Task i's header, or NULL when the task is misaligned or its size is not
 * exactly that of its header and tokens. */
static inline const as_align_task *as__align_task(const as_batch *b, size_t i) {
  size_t size;
  const as_align_task *task = (const as_align_task *)as_task_input(b, i, &size);
  if (size < sizeof *task || !as__token_aligned(task)) return NULL;
  uint64_t tokens = (uint64_t)task->len_a + task->len_b;
  if (tokens > UINT32_MAX ||
      (uint64_t)size != sizeof *task + tokens * sizeof(uint32_t))
    return NULL;
  return task;
}

static inline int as__check_align(const as_batch *b, size_t begin, size_t end) {
  if (!as__offsets_ascend(b, begin, end)) return AS_EINVAL;
  for (size_t i = begin; i < end; i++)
    if (!as__align_task(b, i)) return AS_EINVAL;
  return 0;
}

#endif
