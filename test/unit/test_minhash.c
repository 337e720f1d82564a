/* MinHash signatures (minhash.h): a pinned definition, the set semantics,
 * the Jaccard estimate on fresh random sets, and the fingerprint kernel
 * through its descriptor. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <accelstrat/error.h>
#include <accelstrat/kernels.h>

#include "minhash.h"
#include "test_util.h"

static as_signature signature_of(const uint32_t *tok, uint32_t n) {
  as_signature sig;
  as_minhash_signature(tok, n, sig.h);
  return sig;
}

static int same_signature(const as_signature *x, const as_signature *y) {
  return memcmp(x->h, y->h, sizeof x->h) == 0;
}

static uint32_t equal_positions(const as_signature *x, const as_signature *y) {
  uint32_t equal = 0;
  for (int k = 0; k < AS_MINHASH_K; k++) equal += x->h[k] == y->h[k];
  return equal;
}

/* Signatures are compared across devices, builds and releases: this pins the
 * function (values from an independent model of the definition). A change
 * here needs a new as_kernel_fingerprint version. */
static void test_pinned_values(void) {
  const uint32_t tok[] = {1, 2, 3, 4, 5, 1, 2};
  as_signature sig = signature_of(tok, 7);
  uint64_t digest = 0;
  for (int k = 0; k < AS_MINHASH_K; k++)
    digest = as_hash_combine(digest, sig.h[k]);
  CHECK_EQ(as_minhash_seed(0), 803938119u);
  CHECK_EQ(sig.h[0], 601159925u);
  CHECK_EQ(sig.h[AS_MINHASH_K - 1], 94515163u);
  CHECK_EQ(digest, 4642135294350880486ULL);
}

static void test_seeds_distinct(void) {
  for (uint32_t i = 0; i < AS_MINHASH_K; i++)
    for (uint32_t j = i + 1; j < AS_MINHASH_K; j++)
      if (as_minhash_seed(i) == as_minhash_seed(j))
        TEST_FAIL("seeds %u and %u are equal", i, j);
}

static void test_short_streams(test_rng *rng) {
  as_signature empty = signature_of(NULL, 0);
  for (int k = 0; k < AS_MINHASH_K; k++) CHECK_EQ(empty.h[k], UINT32_MAX);

  uint32_t token = (uint32_t)test_next(rng), other = token + 1;
  as_signature one = signature_of(&token, 1);
  uint32_t lone = as_minhash_shingle(token, AS_MINHASH_LONE_PARTNER);
  for (uint32_t k = 0; k < AS_MINHASH_K; k++)
    CHECK_EQ(one.h[k], as_minhash_value(lone, as_minhash_seed(k)));
  as_signature another = signature_of(&other, 1);
  CHECK(equal_positions(&one, &another) < AS_MINHASH_K / 4);

  uint32_t pair[] = {token, other};
  as_signature two = signature_of(pair, 2);
  uint32_t shingle = as_minhash_shingle(token, other);
  for (uint32_t k = 0; k < AS_MINHASH_K; k++)
    CHECK_EQ(two.h[k], as_minhash_value(shingle, as_minhash_seed(k)));
}

static void test_set_semantics(test_rng *rng) {
  uint32_t tok[1000], copy[1000];
  for (int i = 0; i < 1000; i++) tok[i] = test_below(rng, 20);
  memcpy(copy, tok, sizeof tok);
  as_signature sig = signature_of(tok, 1000), again = signature_of(copy, 1000);
  CHECK(same_signature(&sig, &again));

  /* {(x,y), (y,z), (z,x)} three ways: once, repeated, rotated. */
  uint32_t x = (uint32_t)test_next(rng), y = x ^ 1, z = x ^ 2;
  const uint32_t once[] = {x, y, z, x};
  const uint32_t repeated[] = {x, y, z, x, y, z, x, y};
  const uint32_t rotated[] = {z, x, y, z};
  as_signature s_once = signature_of(once, 4);
  as_signature s_repeated = signature_of(repeated, 8);
  as_signature s_rotated = signature_of(rotated, 4);
  CHECK(same_signature(&s_once, &s_repeated));
  CHECK(same_signature(&s_once, &s_rotated));
  /* ...and a different set: (x,y), (y,x), (x,z), (z,x)... */
  const uint32_t different[] = {x, y, x, z, x};
  as_signature s_different = signature_of(different, 5);
  CHECK(!same_signature(&s_once, &s_different));
}

static int compare_u64(const void *x, const void *y) {
  uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
  return (a > b) - (a < b);
}

/* Sorted distinct shingles of tok[0, n), n >= 2, packed as first << 32 |
 * second; returns how many. */
static size_t shingle_set(const uint32_t *tok, size_t n, uint64_t *set) {
  for (size_t i = 0; i + 1 < n; i++)
    set[i] = (uint64_t)tok[i] << 32 | tok[i + 1];
  qsort(set, n - 1, sizeof *set, compare_u64);
  size_t distinct = 0;
  for (size_t i = 0; i + 1 < n; i++)
    if (distinct == 0 || set[distinct - 1] != set[i]) set[distinct++] = set[i];
  return distinct;
}

static double true_jaccard(const uint32_t *a, const uint32_t *b, size_t n) {
  uint64_t *sa = malloc(n * sizeof *sa), *sb = malloc(n * sizeof *sb);
  if (!sa || !sb) abort();
  size_t na = shingle_set(a, n, sa), nb = shingle_set(b, n, sb);
  size_t common = 0;
  for (size_t i = 0, j = 0; i < na && j < nb;) {
    if (sa[i] == sb[j]) {
      common++;
      i++;
      j++;
    } else if (sa[i] < sb[j]) {
      i++;
    } else {
      j++;
    }
  }
  free(sa);
  free(sb);
  return (double)common / (double)(na + nb - common);
}

/* The fraction of equal positions estimates the Jaccard similarity with a
 * standard deviation of sqrt(J (1 - J) / K) <= 0.044. Each estimate must be
 * within 0.2 (over 4.5 deviations) and the mean error of 20 pairs at one
 * mutation rate within 0.04 (over 4 deviations of that mean), so a correct
 * implementation fails about once in 10^4 runs while a biased or correlated
 * one fails at once. */
static void test_jaccard_estimate(test_rng *rng) {
  enum { N = 500, TRIALS = 20 };
  static const double mutation_rates[] = {0.02, 0.1, 0.3, 0.6};
  uint32_t a[N], b[N];
  for (size_t r = 0; r < sizeof mutation_rates / sizeof *mutation_rates; r++) {
    double error_sum = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
      for (int i = 0; i < N; i++) {
        a[i] = (uint32_t)test_next(rng);
        b[i] = test_chance(rng, mutation_rates[r]) ? (uint32_t)test_next(rng)
                                                   : a[i];
      }
      as_signature sa = signature_of(a, N), sb = signature_of(b, N);
      double truth = true_jaccard(a, b, N);
      double estimate = (double)equal_positions(&sa, &sb) / AS_MINHASH_K;
      if (estimate - truth > 0.2 || truth - estimate > 0.2)
        TEST_FAIL("mutation rate %.2f trial %d: estimate %.3f, Jaccard %.3f",
                  mutation_rates[r], trial, estimate, truth);
      error_sum += estimate - truth;
    }
    double mean_error = error_sum / TRIALS;
    if (mean_error > 0.04 || mean_error < -0.04)
      TEST_FAIL("mutation rate %.2f: mean error %.3f over %d pairs",
                mutation_rates[r], mean_error, TRIALS);
  }
}

static void test_descriptor(test_rng *rng) {
  const as_kernel *k = &as_kernel_fingerprint;
  CHECK(strcmp(k->name, "fingerprint") == 0);
  CHECK_EQ(k->version, 1);
  CHECK_EQ(k->out_size, sizeof(as_signature));
  CHECK(k->cost && k->cpu && k->has_gpu);

  enum { TASKS = 4 };
  static const uint32_t lengths[TASKS] = {0, 1, 2, 1000};
  uint32_t tokens[1003];
  for (int i = 0; i < 1003; i++) tokens[i] = test_below(rng, 50);
  uint64_t offsets[TASKS + 1] = {0};
  for (int i = 0; i < TASKS; i++)
    offsets[i + 1] = offsets[i] + lengths[i] * sizeof(uint32_t);
  as_signature out[TASKS];
  as_batch batch = {
      .kernel = k, .n = TASKS, .data = tokens, .offsets = offsets, .out = out};
  CHECK_INT_EQ(k->cpu(&batch, 0, TASKS), 0);
  for (int i = 0; i < TASKS; i++) {
    as_signature want = signature_of(tokens + offsets[i] / 4, lengths[i]);
    if (!same_signature(&out[i], &want))
      TEST_FAIL("task %d (%u tokens): signature differs from "
                "as_minhash_signature",
                i, lengths[i]);
    CHECK_EQ(k->cost(&batch, i),
             (uint64_t)(lengths[i] ? lengths[i] : 1) * AS_MINHASH_K);
  }

  /* Malformed: a size that is not a whole number of tokens, a misaligned
   * stream. */
  offsets[2] += 2;
  CHECK_INT_EQ(k->cpu(&batch, 1, 2), AS_EINVAL);
  offsets[3] += 2;
  CHECK_INT_EQ(k->cpu(&batch, 2, 3), AS_EINVAL);
}

int main(void) {
  test_rng rng = {test_seed()};
  double start = test_now();
  test_pinned_values();
  test_seeds_distinct();
  test_short_streams(&rng);
  test_set_semantics(&rng);
  test_jaccard_estimate(&rng);
  test_descriptor(&rng);
  printf("total %.2f s\n", test_now() - start);
  return test_finish("test_minhash");
}
