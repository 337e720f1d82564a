/* MinHash signature of a token stream's set of 2-token shingles: the exact
 * function of the fingerprint kernel on every device. Changing any constant
 * or step here changes signatures, so it needs a new kernel version. */
#ifndef ACCELSTRAT_KERNELS_MINHASH_H
#define ACCELSTRAT_KERNELS_MINHASH_H

#include <stdint.h>

#include <accelstrat/kernels.h>

#include "as_hd.h"
#include "hash.h"

/* Seed k is fold32(as_mix64(AS_MINHASH_SEED_BASIS + k)): fixed, well mixed,
 * and computable by any thread from k alone. The basis is the fractional part
 * of sqrt(2) (SHA-256's first initial value), a constant nobody chose. */
#define AS_MINHASH_SEED_BASIS 0x6a09e667f3bcc908ULL

/* A one-token stream has no 2-token shingle; its only element is the shingle
 * (token, AS_MINHASH_LONE_PARTNER), so it still gets a real signature. */
#define AS_MINHASH_LONE_PARTNER 0u

AS_HD uint32_t as_minhash_seed(uint32_t k) {
  return as_hash_fold32(as_mix64(AS_MINHASH_SEED_BASIS + k));
}

/* Packing the two tokens into one word before mixing keeps distinct shingles
 * distinct up to the fold to 32 bits (as_mix64 is a bijection). */
AS_HD uint32_t as_minhash_shingle(uint32_t first, uint32_t second) {
  return as_hash_fold32(as_mix64(((uint64_t)first << 32) | second));
}

/* Hash function k applied to a shingle: MurmurHash3's 32-bit finaliser of the
 * shingle xor seed k. 32-bit multiplies keep it cheap where it runs K times
 * per shingle: CPUs vectorise it and GPUs have no native 64-bit multiply. */
AS_HD uint32_t as_minhash_value(uint32_t shingle, uint32_t seed) {
  uint32_t h = shingle ^ seed;
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

/* Lowers each sig[k] to hash function k's value of one more set element. */
AS_HD void as__minhash_add(uint32_t *sig, const uint32_t *seed,
                           uint32_t shingle) {
  for (uint32_t k = 0; k < AS_MINHASH_K; k++) {
    uint32_t v = as_minhash_value(shingle, seed[k]);
    sig[k] = v < sig[k] ? v : sig[k];
  }
}

/* sig[k] = min over the stream's shingles s of as_minhash_value(s, seed k);
 * all UINT32_MAX for an empty stream. A repeated shingle cannot lower a
 * minimum twice, so the signature depends only on the set. */
AS_HD void as_minhash_signature(const uint32_t *tok, uint32_t n,
                                uint32_t *sig) {
  uint32_t seed[AS_MINHASH_K];
  for (uint32_t k = 0; k < AS_MINHASH_K; k++) {
    seed[k] = as_minhash_seed(k);
    sig[k] = UINT32_MAX;
  }
  if (n == 1)
    as__minhash_add(sig, seed,
                    as_minhash_shingle(tok[0], AS_MINHASH_LONE_PARTNER));
  for (uint32_t t = 0; t + 1 < n; t++)
    as__minhash_add(sig, seed, as_minhash_shingle(tok[t], tok[t + 1]));
}

#endif
