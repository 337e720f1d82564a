/* The scalar yardstick the align kernel is measured against (accelstrat-bench
 * kernels): a plain bit-parallel LCS as one would write it in 60 lines, with
 * a per-pair open-addressing table from the shorter stream's tokens to
 * dense rows of match masks and the classic step
 *     V' = (V + (V & M)) | (V & ~M)
 * over ceil(m / 64) words. Written for this bench alone, independently of
 * the kernel; memory grows with the distinct tokens times the words. */
#ifndef ACCELSTRAT_BENCH_YARDSTICK_H
#define ACCELSTRAT_BENCH_YARDSTICK_H

#include <stddef.h>
#include <stdint.h>

typedef struct bench_yardstick_slot {
  uint32_t token, row; /* row 0: empty; else the token's row + 1 */
} bench_yardstick_slot;

typedef struct bench_yardstick {
  bench_yardstick_slot *slot;
  uint64_t *masks; /* rows x words */
  uint64_t *v;
  size_t cap_slots, cap_masks, cap_words;
} bench_yardstick;

/* LCS(a, b); -1 when memory runs out. */
int64_t bench_yardstick_lcs(bench_yardstick *y, const uint32_t *a, uint32_t la,
                            const uint32_t *b, uint32_t lb);
void bench_yardstick_free(bench_yardstick *y);

#endif
