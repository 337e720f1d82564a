#include "lcs_simd.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#include <immintrin.h>

#define AS_AVX2 __attribute__((target("avx2,popcnt")))
#define AS_AVX2_INLINE                                                         \
  static inline __attribute__((always_inline, target("avx2,popcnt")))

int as__lcs_simd_available(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
}

/* Positions at..at+3 of s, 0 past m (a masked load: nothing past s[m - 1]
 * is read). */
AS_AVX2_INLINE __m128i load4(const uint32_t *s, uint32_t m, uint32_t at) {
  if (at + 4 <= m) return _mm_loadu_si128((const __m128i *)(s + at));
  if (at >= m) return _mm_setzero_si128();
  __m128i lane =
      _mm_add_epi32(_mm_set1_epi32((int)at), _mm_setr_epi32(0, 1, 2, 3));
  __m128i live = _mm_cmpgt_epi32(_mm_set1_epi32((int)m), lane);
  return _mm_maskload_epi32((const int *)(s + at), live);
}

/* Positions at..at+31 of s in four registers, in the order the packs below
 * leave their lanes: a 256-bit pack works on each 128-bit half, so register
 * k holds positions 4k..4k+3 in its low half and 16+4k..16+4k+3 in its high
 * one, and the mask's bit p is then position at+p. Positions past m hold 0
 * and may match: their bits sit above every real one, where carries only
 * leave, and are not counted. */
AS_AVX2_INLINE void load32(__m256i *reg, const uint32_t *s, uint32_t m,
                           uint32_t at) {
  for (uint32_t k = 0; k < 4; k++)
    reg[k] =
        _mm256_set_m128i(load4(s, m, at + 16 + 4 * k), load4(s, m, at + 4 * k));
}

/* The match mask of x over the 32 positions of reg. */
AS_AVX2_INLINE uint32_t mask32(__m256i x, const __m256i *reg) {
  __m256i lo = _mm256_packs_epi32(_mm256_cmpeq_epi32(x, reg[0]),
                                  _mm256_cmpeq_epi32(x, reg[1]));
  __m256i hi = _mm256_packs_epi32(_mm256_cmpeq_epi32(x, reg[2]),
                                  _mm256_cmpeq_epi32(x, reg[3]));
  return (uint32_t)_mm256_movemask_epi8(_mm256_packs_epi16(lo, hi));
}

AS_AVX2_INLINE uint64_t mask64(__m256i x, const __m256i *reg) {
  return (uint64_t)mask32(x, reg) | (uint64_t)mask32(x, reg + 4) << 32;
}

/* Zeros of v's low `bits` bits (1..64). */
static inline uint32_t zeros(uint64_t v, uint32_t bits) {
  uint64_t live = bits >= 64 ? ~0ULL : (1ULL << bits) - 1;
  return (uint32_t)__builtin_popcountll(~v & live);
}

/* At most 32 positions: one 32-bit word. */
static AS_AVX2 uint32_t lcs32(const uint32_t *s, uint32_t m, const uint32_t *t,
                              uint32_t n) {
  __m256i reg[4];
  load32(reg, s, m, 0);
  uint32_t v = ~0u;
  for (uint32_t j = 0; j < n; j++) {
    uint32_t u = v & mask32(_mm256_set1_epi32((int)t[j]), reg);
    v = (v + u) | (v & ~u);
  }
  return zeros(v, m);
}

/* W 64-bit words (W a constant once inlined); the carry runs up the words
 * (add-with-carry). */
AS_AVX2_INLINE uint32_t lcs_words(const uint32_t *s, uint32_t m,
                                  const uint32_t *t, uint32_t n, int words) {
  __m256i reg[8 * 4];
  for (int h = 0; h < 2 * words; h++) load32(reg + 4 * h, s, m, 32u * h);
  unsigned long long v[4] = {~0ULL, ~0ULL, ~0ULL, ~0ULL};
  for (uint32_t j = 0; j < n; j++) {
    __m256i x = _mm256_set1_epi32((int)t[j]);
    unsigned char carry = 0;
    for (int w = 0; w < words; w++) {
      unsigned long long u = v[w] & mask64(x, reg + 8 * w), sum;
      carry = _addcarry_u64(carry, v[w], u, &sum);
      v[w] = sum | (v[w] & ~u);
    }
  }
  uint32_t lcs = 0;
  for (int w = 0; w < words; w++) lcs += zeros(v[w], m - 64 * (uint32_t)w);
  return lcs;
}

/* Each case inlines lcs_words with its own constant W (the caller checked
 * that the CPU has AVX2). */
AS_AVX2 uint32_t as__lcs_simd(const uint32_t *s, uint32_t m, const uint32_t *t,
                              uint32_t n) {
  if (m <= 32) return lcs32(s, m, t, n);
  switch ((m + 63) / 64) {
  case 1: return lcs_words(s, m, t, n, 1);
  case 2: return lcs_words(s, m, t, n, 2);
  case 3: return lcs_words(s, m, t, n, 3);
  default: return lcs_words(s, m, t, n, 4);
  }
}

#else

int as__lcs_simd_available(void) { return 0; }

uint32_t as__lcs_simd(const uint32_t *s, uint32_t m, const uint32_t *t,
                      uint32_t n) {
  (void)s, (void)m, (void)t, (void)n;
  return 0;
}

#endif
