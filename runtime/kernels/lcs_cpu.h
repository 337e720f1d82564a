/* The align kernel's LCS on CPU threads: lcs.h's bit-parallel recurrence
 *     U = V & Match[x];  V = (V + U) | (V & ~U)
 * with the bookkeeping made cheap. The shorter stream's tokens get dense ids
 * once per pair through an open-addressing table, and each id its match
 * mask as a dense row of W words, so a column of the longer stream costs
 * one table lookup and W word steps (add-with-carry on x86-64); a token
 * absent from the shorter stream leaves V unchanged and is skipped. Up to
 * 256 tokens the table and rows are the thread's, kept from pair to pair
 * (never cleared: stamped), and V stays in registers. When the dense rows would
 * take more memory than as__lcs_cpu_dense_limit allows (many distinct
 * tokens in a long stream), as_lcs (lcs.h) runs instead. Where the CPU
 * has AVX2, a shorter stream of at most 256 tokens takes lcs_simd.h's
 * compares instead of the table. The result is as_lcs's, always. */
#ifndef ACCELSTRAT_KERNELS_LCS_CPU_H
#define ACCELSTRAT_KERNELS_LCS_CPU_H

#include <stddef.h>
#include <stdint.h>

/* A workspace reused across pairs, grown as they need (as__malloc); {0}
 * before its first use. Streams of at most 256 tokens use the thread's own
 * table instead (lcs_cpu.c), kept from call to call. */
typedef struct as_lcs_cpu_ws {
  uint64_t *mem;
  size_t words;
} as_lcs_cpu_ws;

/* The dense rows' bound, in words, for a shorter stream of m tokens. */
size_t as__lcs_cpu_dense_limit(uint32_t m);

/* LCS(a, b), the same as as_lcs(a, la, b, lb, ...). Returns 0 and sets *lcs,
 * or AS_ENOMEM (ws keeps what it had). */
int as__lcs_cpu(const uint32_t *a, uint32_t la, const uint32_t *b, uint32_t lb,
                as_lcs_cpu_ws *ws, uint32_t *lcs);

void as__lcs_cpu_ws_free(as_lcs_cpu_ws *ws);

/* Whether as__lcs_cpu takes lcs_simd.h's path where it can (the default
 * where the CPU has it) or always the portable one: for the tests and the
 * bench, which compare the two. Returns the previous setting; on is ignored
 * where the CPU lacks AVX2. */
int as__lcs_cpu_set_simd(int on);

#endif
