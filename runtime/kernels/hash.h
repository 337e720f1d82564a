/* Small, fixed integer hashes: part of every kernel's exact definition, so
 * they must never change without bumping the kernels' versions. */
#ifndef ACCELSTRAT_KERNELS_HASH_H
#define ACCELSTRAT_KERNELS_HASH_H

#include <stdint.h>

#include "as_hd.h"

/* SplitMix64's finaliser: a bijection on 64-bit values. */
AS_HD uint64_t as_mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

/* Folds v into the running hash h (order-sensitive). */
AS_HD uint64_t as_hash_combine(uint64_t h, uint64_t v) {
  return as_mix64(h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
}

AS_HD uint32_t as_hash_fold32(uint64_t h) { return (uint32_t)(h ^ (h >> 32)); }

#endif
