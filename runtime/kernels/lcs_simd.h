/* The align kernel's LCS for a shorter stream of at most 256 tokens without
 * a token table: each column compares its token with all of s at once
 * (AVX2: eight 32-bit lanes a compare), packs the compares into the match
 * mask and takes lcs.h's step. No per-pair set-up but loading s, no branch
 * on the data, and exact for any 32-bit tokens. lcs_cpu.c calls it when the
 * CPU has AVX2 (checked once, at run time), so the build runs on any
 * x86-64, and on other machines it is absent. */
#ifndef ACCELSTRAT_KERNELS_LCS_SIMD_H
#define ACCELSTRAT_KERNELS_LCS_SIMD_H

#include <stdint.h>

#define AS_LCS_SIMD_MAX 256u

/* Whether this build and CPU have as__lcs_simd. */
int as__lcs_simd_available(void);

/* LCS(s, t) for 1 <= m <= AS_LCS_SIMD_MAX (any n); only when
 * as__lcs_simd_available(). */
uint32_t as__lcs_simd(const uint32_t *s, uint32_t m, const uint32_t *t,
                      uint32_t n);

#endif
