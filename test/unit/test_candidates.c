/* Candidate queries (candidates.h) against a brute-force reference on fresh
 * random signatures, their edge cases, the threshold rounding of
 * as_candidates_min_matches, and the candidates kernel through its
 * descriptor. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <accelstrat/error.h>
#include <accelstrat/kernels.h>

#include "candidates.h"
#include "test_util.h"

static int by_matches_then_index(const void *x, const void *y) {
  const as_candidate *a = x, *b = y;
  if (a->matches != b->matches) return a->matches > b->matches ? -1 : 1;
  return (a->index > b->index) - (a->index < b->index);
}

/* Every j != i at the threshold, sorted with qsort, cut at max_out. */
static as_candidates_out reference_query(const as_candidates_shared *hdr,
                                         const as_signature *sigs, uint32_t i) {
  as_candidate *all = malloc(((size_t)hdr->n + 1) * sizeof *all);
  if (!all) abort();
  uint32_t kept = 0;
  for (uint32_t j = 0; j < hdr->n; j++) {
    uint32_t matches = 0;
    for (int k = 0; k < AS_MINHASH_K; k++)
      matches += sigs[i].h[k] == sigs[j].h[k];
    if (j != i && matches >= hdr->min_matches)
      all[kept++] = (as_candidate){.index = j, .matches = matches};
  }
  qsort(all, kept, sizeof *all, by_matches_then_index);
  uint32_t limit =
      hdr->max_out < AS_CANDIDATES_MAX ? hdr->max_out : AS_CANDIDATES_MAX;
  as_candidates_out out;
  memset(&out, 0, sizeof out);
  out.count = kept < limit ? kept : limit;
  memcpy(out.c, all, out.count * sizeof *all);
  free(all);
  return out;
}

/* Runs the query on an output full of garbage, so unzeroed bytes show. */
static as_candidates_out run_query(const as_candidates_shared *hdr,
                                   const as_signature *sigs, uint32_t i) {
  as_candidates_out out;
  memset(&out, 0xab, sizeof out);
  as_candidates_query(hdr, sigs, i, &out);
  return out;
}

static void check_query(const char *what, const as_candidates_shared *hdr,
                        const as_signature *sigs, uint32_t i) {
  as_candidates_out got = run_query(hdr, sigs, i);
  as_candidates_out want = reference_query(hdr, sigs, i);
  if (memcmp(&got, &want, sizeof got) == 0) return;
  TEST_FAIL("%s: query %u (n %u, min_matches %u, max_out %u): count %u, "
            "expected %u",
            what, i, hdr->n, hdr->min_matches, hdr->max_out, got.count,
            want.count);
  for (uint32_t k = 0; k < AS_CANDIDATES_MAX; k++)
    if (got.c[k].index != want.c[k].index ||
        got.c[k].matches != want.c[k].matches)
      fprintf(stderr, "  entry %u: (%u, %u), expected (%u, %u)\n", k,
              got.c[k].index, got.c[k].matches, want.c[k].index,
              want.c[k].matches);
}

/* Signatures over 3 values agree in about K/3 positions, so thresholds near
 * 43 keep a few with many ties; a quarter are near-copies of an earlier one. */
static void fill_signatures(test_rng *rng, as_signature *sigs, uint32_t n) {
  for (uint32_t j = 0; j < n; j++) {
    if (j > 0 && test_chance(rng, 0.25)) {
      sigs[j] = sigs[test_below(rng, j)];
      uint32_t changes = test_below(rng, 40);
      for (uint32_t c = 0; c < changes; c++)
        sigs[j].h[test_below(rng, AS_MINHASH_K)] = test_below(rng, 3);
    } else {
      for (int k = 0; k < AS_MINHASH_K; k++) sigs[j].h[k] = test_below(rng, 3);
    }
  }
}

static void test_random_against_reference(test_rng *rng) {
  enum { N = 300 };
  static const uint32_t min_matches[] = {0, 40, 43, 46, 90, 110, 128};
  static const uint32_t max_out[] = {
      1, 2, 7, AS_CANDIDATES_MAX, AS_CANDIDATES_MAX + 1, 1000};
  as_signature *sigs = malloc(N * sizeof *sigs);
  if (!sigs) abort();
  fill_signatures(rng, sigs, N);
  for (size_t t = 0; t < sizeof min_matches / sizeof *min_matches; t++)
    for (size_t m = 0; m < sizeof max_out / sizeof *max_out; m++) {
      as_candidates_shared hdr = {
          .n = N, .min_matches = min_matches[t], .max_out = max_out[m]};
      for (uint32_t i = 0; i < N; i += 1 + test_below(rng, 8))
        check_query("random", &hdr, sigs, i);
    }
  free(sigs);
}

/* Signature equal to query in exactly `matches` positions (query is zeros). */
static as_signature with_matches(uint32_t matches) {
  as_signature sig;
  for (uint32_t k = 0; k < AS_MINHASH_K; k++) sig.h[k] = k < matches ? 0 : 1;
  return sig;
}

static void test_threshold_edge(void) {
  as_signature sigs[4] = {with_matches(AS_MINHASH_K), with_matches(84),
                          with_matches(83), with_matches(85)};
  as_candidates_shared hdr = {.n = 4, .min_matches = 84, .max_out = 32};
  as_candidates_out out = run_query(&hdr, sigs, 0);
  CHECK_EQ(out.count, 2);
  CHECK_EQ(out.c[0].index, 3);
  CHECK_EQ(out.c[0].matches, 85);
  CHECK_EQ(out.c[1].index, 1);
  CHECK_EQ(out.c[1].matches, 84);
  CHECK_EQ(out.c[2].index, 0);
  CHECK_EQ(out.c[2].matches, 0);
  CHECK_EQ(out.reserved, 0);
}

static void test_truncation_and_ties(void) {
  static const uint32_t matches[] = {128, 100, 120, 100, 120, 90, 128, 120};
  as_signature sigs[8];
  for (int j = 0; j < 8; j++) sigs[j] = with_matches(matches[j]);
  as_candidates_shared hdr = {.n = 8, .min_matches = 95, .max_out = 4};
  as_candidates_out out = run_query(&hdr, sigs, 0);
  static const uint32_t want_index[] = {6, 2, 4, 7};
  static const uint32_t want_matches[] = {128, 120, 120, 120};
  CHECK_EQ(out.count, 4);
  for (int k = 0; k < 4; k++) {
    CHECK_EQ(out.c[k].index, want_index[k]);
    CHECK_EQ(out.c[k].matches, want_matches[k]);
  }
  CHECK_EQ(out.c[4].index, 0);
}

static void test_never_itself(void) {
  enum { N = 40 };
  as_signature sigs[N];
  for (int j = 0; j < N; j++) sigs[j] = with_matches(AS_MINHASH_K);
  as_candidates_shared hdr = {
      .n = N, .min_matches = AS_MINHASH_K, .max_out = AS_CANDIDATES_MAX};
  as_candidates_out out = run_query(&hdr, sigs, 5);
  CHECK_EQ(out.count, AS_CANDIDATES_MAX);
  for (uint32_t k = 0; k < AS_CANDIDATES_MAX; k++) {
    CHECK_EQ(out.c[k].index, k < 5 ? k : k + 1);
    CHECK_EQ(out.c[k].matches, AS_MINHASH_K);
  }
  hdr.n = 1;
  out = run_query(&hdr, sigs, 0);
  CHECK_EQ(out.count, 0);
}

static void test_min_matches(void) {
  CHECK_EQ(as_candidates_min_matches(0.0), 0);
  CHECK_EQ(as_candidates_min_matches(1.0), AS_MINHASH_K);
  CHECK_EQ(as_candidates_min_matches(0.65), 84);
  CHECK_EQ(as_candidates_min_matches(0.65 - 0.15), 64);
  CHECK_EQ(as_candidates_min_matches(0.5), 64);
  CHECK_EQ(as_candidates_min_matches(-0.5), 0);
  CHECK_EQ(as_candidates_min_matches(1.5), AS_MINHASH_K);
  CHECK_EQ(as_candidates_min_matches(NAN), 0);
  CHECK_EQ(as_candidates_min_matches(INFINITY), AS_MINHASH_K);
  CHECK_EQ(as_candidates_min_matches(-INFINITY), 0);
  /* Within 1e-9 of a multiple of 1/K counts as that multiple (rounding
   * slack); anything further above needs one more match. */
  CHECK_EQ(as_candidates_min_matches(1e-300), 0);
  CHECK_EQ(as_candidates_min_matches(1e-6), 1);
  CHECK_EQ(as_candidates_min_matches(1.0 / AS_MINHASH_K + 1e-6), 2);
  /* The smallest m with m / K >= j, on a grid where j * K is never within
   * 1e-9 of an integer except at exact multiples of 1/8. */
  for (int step = 0; step <= 1000; step++) {
    double j = step / 1000.0;
    uint32_t want = 0;
    while ((double)want / AS_MINHASH_K < j) want++;
    if (as_candidates_min_matches(j) != want)
      TEST_FAIL("as_candidates_min_matches(%g) = %u, expected %u", j,
                as_candidates_min_matches(j), want);
  }
}

/* A shared block: header then n signatures, in one allocation. */
static as_candidates_shared *shared_block(const as_candidates_shared *hdr,
                                          const as_signature *sigs,
                                          size_t *size) {
  *size = sizeof *hdr + hdr->n * sizeof *sigs;
  as_candidates_shared *block = malloc(*size);
  if (!block) abort();
  *block = *hdr;
  memcpy(block + 1, sigs, hdr->n * sizeof *sigs);
  return block;
}

static void test_descriptor(test_rng *rng) {
  const as_kernel *k = &as_kernel_candidates;
  CHECK(strcmp(k->name, "candidates") == 0);
  CHECK_EQ(k->version, 1);
  CHECK_EQ(k->out_size, sizeof(as_candidates_out));
  CHECK(k->cost && k->cpu && k->has_gpu);

  enum { N = 50 };
  as_signature sigs[N];
  fill_signatures(rng, sigs, N);
  as_candidates_shared hdr = {.n = N, .min_matches = 44, .max_out = 5};
  size_t size;
  as_candidates_shared *block = shared_block(&hdr, sigs, &size);
  as_candidates_out out[N + 1];
  as_batch batch = {
      .kernel = k, .n = N, .shared = block, .shared_size = size, .out = out};
  CHECK_INT_EQ(k->cpu(&batch, 0, N), 0);
  for (uint32_t i = 0; i < N; i++) {
    as_candidates_out want = reference_query(&hdr, sigs, i);
    if (memcmp(&out[i], &want, sizeof want) != 0)
      TEST_FAIL("task %u differs from the reference", i);
    CHECK_EQ(k->cost(&batch, i), (uint64_t)N * AS_MINHASH_K);
  }

  /* Malformed: a task past n, a block one byte short or missing, fields out
   * of their ranges. */
  batch.n = N + 1;
  CHECK_INT_EQ(k->cpu(&batch, N - 1, N + 1), AS_EINVAL);
  batch.n = N;
  batch.shared_size = size - 1;
  CHECK_INT_EQ(k->cpu(&batch, 0, 1), AS_EINVAL);
  CHECK_EQ(k->cost(&batch, 0), 1);
  batch.shared_size = sizeof hdr - 1;
  CHECK_INT_EQ(k->cpu(&batch, 0, 1), AS_EINVAL);
  batch.shared = NULL;
  batch.shared_size = 0;
  CHECK_INT_EQ(k->cpu(&batch, 0, 1), AS_EINVAL);
  batch.shared = block;
  batch.shared_size = size;
  const as_candidates_shared bad[] = {
      {.n = N, .min_matches = AS_MINHASH_K + 1, .max_out = 5},
      {.n = N, .min_matches = 44, .max_out = 0},
      {.n = N, .min_matches = 44, .max_out = AS_CANDIDATES_MAX + 1},
      {.n = N, .min_matches = 44, .max_out = 5, .reserved = 1},
  };
  for (size_t b = 0; b < sizeof bad / sizeof *bad; b++) {
    *block = bad[b];
    if (k->cpu(&batch, 0, 1) != AS_EINVAL)
      TEST_FAIL("header %zu (min_matches %u, max_out %u, reserved %u) was "
                "accepted",
                b, bad[b].min_matches, bad[b].max_out, bad[b].reserved);
  }
  free(block);
}

int main(void) {
  test_rng rng = {test_seed()};
  double start = test_now();
  test_random_against_reference(&rng);
  test_threshold_edge();
  test_truncation_and_ties();
  test_never_itself();
  test_min_matches();
  test_descriptor(&rng);
  printf("total %.2f s\n", test_now() - start);
  return test_finish("test_candidates");
}
