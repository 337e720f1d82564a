/* Seeded pseudo-random numbers for synthetic inputs and tests (nothing
 * secret): the same seed gives the same sequence on every machine.
 *
 * splitmix64 (Steele, Lea and Flood, 2014) is both a stream of its own and
 * the seeder of xorshift64* (Vigna, 2016), the synthetic batches'
 * generator. */
#ifndef ACCELSTRAT_SUPPORT_RNG_H
#define ACCELSTRAT_SUPPORT_RNG_H

#include <stdint.h>

/* The next value of the splitmix64 stream whose state is *state. */
static inline uint64_t as__splitmix64_next(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* xorshift64*'s state: never 0. */
typedef struct as_rng {
  uint64_t s;
} as_rng;

static inline as_rng as__rng_seeded(uint64_t seed) {
  as_rng r = {as__splitmix64_next(&seed) | 1};
  return r;
}

static inline uint64_t as__rng_next(as_rng *r) {
  r->s ^= r->s >> 12;
  r->s ^= r->s << 25;
  r->s ^= r->s >> 27;
  return r->s * 0x2545f4914f6cdd1dull;
}

/* Uniform in [0, n) by multiply-shift (each value's probability is off
 * from 1/n by less than 2^-32); 0 when n is 0. */
static inline uint32_t as__rng_below(as_rng *r, uint32_t n) {
  return n ? (uint32_t)((as__rng_next(r) >> 32) * n >> 32) : 0;
}

#endif
