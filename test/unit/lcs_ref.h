/* The LCS references of the tests: the textbook dynamic programme, and
 * as_lcs run with a workspace of exactly the size it asks for. Used by
 * test_lcs.c and the fuzz targets (test/fuzz/). */
#ifndef ACCELSTRAT_LCS_REF_H
#define ACCELSTRAT_LCS_REF_H

#include <stdint.h>
#include <stdlib.h>

#include "lcs.h"

/* O(la * lb) time, one row of memory. */
static inline uint32_t as_lcs_dp(const uint32_t *a, uint32_t la,
                                 const uint32_t *b, uint32_t lb) {
  uint32_t *row = calloc((size_t)lb + 1, sizeof *row);
  if (!row) abort();
  for (uint32_t i = 0; i < la; i++) {
    uint32_t diagonal = 0;
    for (uint32_t j = 0; j < lb; j++) {
      uint32_t up = row[j + 1];
      row[j + 1] = a[i] == b[j] ? diagonal + 1 : (up > row[j] ? up : row[j]);
      diagonal = up;
    }
  }
  uint32_t lcs = row[lb];
  free(row);
  return lcs;
}

/* as_lcs with a workspace of exactly the advertised size (none at all when
 * it is 0), so the sanitizers catch any access past it. */
static inline uint32_t lcs_exact_workspace(const uint32_t *a, uint32_t la,
                                           const uint32_t *b, uint32_t lb) {
  size_t words = as_lcs_workspace_words(la, lb);
  uint64_t *work = words ? malloc(words * sizeof *work) : NULL;
  if (words && !work) abort();
  uint32_t lcs = as_lcs(a, la, b, lb, work);
  free(work);
  return lcs;
}

#endif
