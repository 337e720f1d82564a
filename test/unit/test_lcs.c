/* Bit-parallel LCS (lcs.h) against the textbook dynamic programme on fresh
 * random streams, at the word-boundary lengths and at scale, and the align
 * kernel through its descriptor. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <accelstrat/error.h>
#include <accelstrat/kernels.h>

#include "lcs.h"
#include "lcs_cpu.h"
#include "lcs_ref.h"
#include "registry.h"
#include "test_util.h"

static uint32_t *tokens_alloc(uint32_t n) {
  uint32_t *t = malloc(((size_t)n + 1) * sizeof *t);
  if (!t) abort();
  return t;
}

/* The alphabets tokens are drawn from: small ones make the frequent tokens
 * that get precomputed masks, 200 makes streams of up to 256 tokens with
 * more than 128 distinct ones that repeat, the extremes of the 32-bit range
 * test the searches' boundaries, the full range makes absent tokens. */
typedef enum alphabet {
  ALPHABET_2,
  ALPHABET_4,
  ALPHABET_50,
  ALPHABET_200,
  ALPHABET_EXTREMES,
  ALPHABET_FULL,
  ALPHABET_MIXED, /* half from 4 tokens, half from the full range */
  ALPHABET_COUNT
} alphabet;

static const char *const alphabet_names[ALPHABET_COUNT] = {
    "2", "4", "50", "200", "{0,1,MAX-1,MAX}", "2^32", "mixed"};

static uint32_t draw_token(test_rng *rng, alphabet kind) {
  static const uint32_t extremes[] = {0, 1, UINT32_MAX - 1, UINT32_MAX};
  switch (kind) {
  case ALPHABET_2: return test_below(rng, 2);
  case ALPHABET_4: return test_below(rng, 4);
  case ALPHABET_50: return test_below(rng, 50);
  case ALPHABET_200: return test_below(rng, 200) * 0x9e3779b9u;
  case ALPHABET_EXTREMES: return extremes[test_below(rng, 4)];
  case ALPHABET_FULL: return (uint32_t)test_next(rng);
  case ALPHABET_MIXED:
  default:
    return test_chance(rng, 0.5) ? test_below(rng, 4)
                                 : (uint32_t)test_next(rng);
  }
}

static void fill_random(test_rng *rng, uint32_t *t, uint32_t n, alphabet kind) {
  for (uint32_t i = 0; i < n; i++) t[i] = draw_token(rng, kind);
}

/* b resembles a (a stretched or squeezed copy with some tokens redrawn), so
 * even over the full 32-bit range the LCS is large. */
static void fill_related(test_rng *rng, const uint32_t *a, uint32_t la,
                         uint32_t *b, uint32_t lb, alphabet kind) {
  for (uint32_t j = 0; j < lb; j++)
    b[j] = la && test_chance(rng, 0.8) ? a[(uint64_t)j * la / lb]
                                       : draw_token(rng, kind);
}

/* as__lcs_cpu (lcs_cpu.h, the CPU kernel's) with one workspace for the
 * whole test, as the kernel reuses its own across tasks: its portable path
 * and, where the CPU has AVX2, its SIMD one (lcs_simd.h), which must agree.
 * The answer is the portable path's. */
static as_lcs_cpu_ws cpu_ws;
static int cpu_has_simd;

static uint32_t lcs_cpu_path(const uint32_t *a, uint32_t la, const uint32_t *b,
                             uint32_t lb, int simd) {
  uint32_t lcs = UINT32_MAX;
  as__lcs_cpu_set_simd(simd);
  if (as__lcs_cpu(a, la, b, lb, &cpu_ws, &lcs) < 0) abort();
  return lcs;
}

static uint32_t lcs_cpu(const uint32_t *a, uint32_t la, const uint32_t *b,
                        uint32_t lb) {
  uint32_t portable = lcs_cpu_path(a, la, b, lb, 0);
  if (cpu_has_simd) {
    uint32_t simd = lcs_cpu_path(a, la, b, lb, 1);
    if (simd != portable)
      TEST_FAIL("la=%u lb=%u: as__lcs_cpu's SIMD path %u, portable %u", la, lb,
                simd, portable);
  }
  return portable;
}

static void check_against_dp(const char *what, const uint32_t *a, uint32_t la,
                             const uint32_t *b, uint32_t lb, alphabet kind) {
  uint32_t want = as_lcs_dp(a, la, b, lb);
  uint32_t got = lcs_exact_workspace(a, la, b, lb);
  uint32_t swapped = lcs_exact_workspace(b, lb, a, la);
  uint32_t cpu = lcs_cpu(a, la, b, lb), cpu_swapped = lcs_cpu(b, lb, a, la);
  if (got != want || swapped != want || cpu != want || cpu_swapped != want)
    TEST_FAIL("%s la=%u lb=%u alphabet %s: as_lcs(a,b)=%u as_lcs(b,a)=%u, "
              "as__lcs_cpu %u and %u, dp=%u",
              what, la, lb, alphabet_names[kind], got, swapped, cpu,
              cpu_swapped, want);
}

static void test_known_cases(void) {
  const uint32_t abcbdab[] = {'A', 'B', 'C', 'B', 'D', 'A', 'B'};
  const uint32_t bdcaba[] = {'B', 'D', 'C', 'A', 'B', 'A'};
  const uint32_t other[] = {'X', 'Y', 'Z'};
  CHECK_EQ(lcs_exact_workspace(abcbdab, 7, bdcaba, 6), 4);
  CHECK_EQ(lcs_exact_workspace(bdcaba, 6, abcbdab, 7), 4);
  CHECK_EQ(lcs_exact_workspace(abcbdab, 7, abcbdab, 7), 7);
  CHECK_EQ(lcs_exact_workspace(abcbdab, 7, other, 3), 0);
  CHECK_EQ(lcs_exact_workspace(abcbdab, 7, NULL, 0), 0);
  CHECK_EQ(lcs_exact_workspace(NULL, 0, abcbdab, 7), 0);
  CHECK_EQ(lcs_exact_workspace(NULL, 0, NULL, 0), 0);
  CHECK_EQ(as_lcs_workspace_words(0, 7), 0);

  /* The first column's carry crosses a word that has no match and must
   * still reach the next: B^64 C^64 B^64 (the shorter stream) against B^k
   * and tokens it lacks. */
  uint32_t runs[192], bs[256];
  for (int i = 0; i < 192; i++) runs[i] = i / 64 == 1 ? 'C' : 'B';
  for (uint32_t k = 1; k <= 3; k++) {
    for (uint32_t i = 0; i < 256; i++) bs[i] = i < k ? 'B' : 'D';
    CHECK_EQ(lcs_exact_workspace(runs, 192, bs, 256), k);
    CHECK_EQ(lcs_cpu(runs, 192, bs, 256), k);
  }
}

static void test_random_lengths(test_rng *rng) {
  static const uint32_t lengths[] = {0,   1,   2,   31,  32,  33,  63,
                                     64,  65,  127, 128, 129, 192, 193,
                                     200, 255, 256, 257, 1000};
  const size_t count = sizeof lengths / sizeof lengths[0];
  uint32_t *a = tokens_alloc(1000), *b = tokens_alloc(1000);
  for (int kind = 0; kind < ALPHABET_COUNT; kind++)
    for (size_t i = 0; i < count; i++)
      for (size_t j = 0; j < count; j++) {
        uint32_t la = lengths[i], lb = lengths[j];
        fill_random(rng, a, la, kind);
        fill_random(rng, b, lb, kind);
        check_against_dp("random", a, la, b, lb, kind);
        fill_related(rng, a, la, b, lb, kind);
        check_against_dp("related", a, la, b, lb, kind);
      }
  free(a);
  free(b);
}

static void test_large_against_dp(test_rng *rng) {
  uint32_t *a = tokens_alloc(20000), *b = tokens_alloc(20000);
  double start = test_now();
  fill_random(rng, a, 20000, ALPHABET_MIXED);
  fill_related(rng, a, 20000, b, 2000, ALPHABET_FULL);
  check_against_dp("large", a, 20000, b, 2000, ALPHABET_FULL);
  fill_random(rng, b, 20000, ALPHABET_MIXED);
  check_against_dp("large", a, 20000, b, 20000, ALPHABET_MIXED);
  printf("20000x2000 and 20000x20000 against the DP: %.2f s\n",
         test_now() - start);
  free(a);
  free(b);
}

/* Longest increasing subsequence (patience sorting), O(n log n): for two
 * orderings of the same distinct tokens, the LCS is the LIS of the positions
 * in a of b's tokens. */
static uint32_t longest_increasing(const uint32_t *x, uint32_t n) {
  uint32_t *tails = tokens_alloc(n), len = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t lo = 0, hi = len;
    while (lo < hi) {
      uint32_t mid = lo + (hi - lo) / 2;
      if (tails[mid] < x[i])
        lo = mid + 1;
      else
        hi = mid;
    }
    tails[lo] = x[i];
    if (lo == len) len++;
  }
  free(tails);
  return len;
}

static void test_large_distinct(test_rng *rng) {
  const uint32_t n = 50000;
  size_t bytes = as_lcs_workspace_words(n, n) * sizeof(uint64_t);
  printf("workspace for %u x %u tokens: %zu bytes\n", n, n, bytes);
  CHECK(bytes < (size_t)64 << 20);

  /* a[i] = token of position i: an odd multiplier makes them distinct. */
  uint32_t *a = tokens_alloc(n), *b = tokens_alloc(n), *order = tokens_alloc(n);
  uint32_t offset = (uint32_t)test_next(rng);
  for (uint32_t i = 0; i < n; i++) a[i] = i * 0x9e3779b9u + offset;

  double start = test_now();
  CHECK_EQ(lcs_exact_workspace(a, n, a, n), n);

  uint32_t rotation = test_below(rng, n);
  for (uint32_t i = 0; i < n; i++) b[i] = a[(i + rotation) % n];
  uint32_t longer_part = rotation > n - rotation ? rotation : n - rotation;
  CHECK_EQ(lcs_exact_workspace(a, n, b, n), longer_part);

  for (uint32_t i = 0; i < n; i++) order[i] = i;
  for (uint32_t i = n - 1; i > 0; i--) {
    uint32_t k = test_below(rng, i + 1), t = order[i];
    order[i] = order[k];
    order[k] = t;
  }
  for (uint32_t i = 0; i < n; i++) b[i] = a[order[i]];
  CHECK_EQ(lcs_exact_workspace(a, n, b, n), longest_increasing(order, n));
  CHECK_EQ(lcs_cpu(a, n, b, n), longest_increasing(order, n));
  printf("%u x %u distinct tokens, 3 pairs: %.2f s\n", n, n,
         test_now() - start);
  free(a);
  free(b);
  free(order);
}

/* Both sides of as__lcs_cpu's memory bound: a 4096-token stream (64 words)
 * with exactly as many distinct tokens as its dense rows may hold, and one
 * more, which goes to as_lcs. */
static void test_dense_bound(test_rng *rng) {
  const uint32_t m = 4096, words = m / 64;
  const uint32_t fit = (uint32_t)(as__lcs_cpu_dense_limit(m) / words);
  uint32_t *a = tokens_alloc(m), *b = tokens_alloc(m);
  for (uint32_t distinct = fit; distinct <= fit + 1; distinct++) {
    for (uint32_t i = 0; i < m; i++)
      a[i] = (i < distinct ? i : test_below(rng, distinct)) * 0x9e3779b9u;
    for (uint32_t i = 0; i < m; i++)
      b[i] = test_chance(rng, 0.9) ? a[i]
                                   : test_below(rng, distinct) * 0x9e3779b9u;
    uint32_t want = as_lcs_dp(a, m, b, m);
    CHECK_EQ(lcs_cpu(a, m, b, m), want);
    CHECK_EQ(lcs_cpu(b, m, a, m), want);
  }
  free(a);
  free(b);
}

static void test_similarity_pct(void) {
  CHECK_EQ(as_align_similarity_pct(0, 0), 100);
  CHECK_EQ(as_align_similarity_pct(5, 10), 100);
  CHECK_EQ(as_align_similarity_pct(1, 3), 66);
  CHECK_EQ(as_align_similarity_pct(0, 10), 0);
  CHECK_EQ(as_align_similarity_pct(UINT32_MAX / 2, UINT32_MAX - 1), 100);
  CHECK_EQ(as_align_similarity_pct(UINT32_MAX / 2, UINT32_MAX), 99);
}

/* Appends one align task (header, a, b) to buf at word *used. */
static void append_task(uint32_t *buf, size_t *used, const uint32_t *a,
                        uint32_t la, const uint32_t *b, uint32_t lb) {
  buf[(*used)++] = la;
  buf[(*used)++] = lb;
  memcpy(buf + *used, a, la * sizeof *a);
  *used += la;
  memcpy(buf + *used, b, lb * sizeof *b);
  *used += lb;
}

static void test_descriptor(test_rng *rng) {
  const as_kernel *k = &as_kernel_align;
  CHECK(strcmp(k->name, "align") == 0);
  CHECK_EQ(k->version, 1);
  CHECK_EQ(k->out_size, sizeof(as_align_out));
  CHECK(k->cost && k->cpu && as__kernel_has_gpu(k));

  enum { TASKS = 4 };
  static const uint32_t la[TASKS] = {0, 5, 300, 129};
  static const uint32_t lb[TASKS] = {0, 0, 200, 1000};
  uint32_t *a = tokens_alloc(1000), *b = tokens_alloc(1000);
  uint32_t *buf = tokens_alloc(4000);
  uint64_t offsets[TASKS + 1] = {0};
  as_align_out out[TASKS], want[TASKS];
  size_t used = 0;
  for (int i = 0; i < TASKS; i++) {
    fill_random(rng, a, la[i], ALPHABET_4);
    fill_related(rng, a, la[i], b, lb[i], ALPHABET_50);
    append_task(buf, &used, a, la[i], b, lb[i]);
    offsets[i + 1] = used * sizeof *buf;
    want[i].lcs = as_lcs_dp(a, la[i], b, lb[i]);
    want[i].total = la[i] + lb[i];
  }
  as_batch batch = {
      .kernel = k, .n = TASKS, .data = buf, .offsets = offsets, .out = out};
  memset(out, 0xab, sizeof out);
  CHECK_INT_EQ(k->cpu(&batch, 0, TASKS), 0);
  for (int i = 0; i < TASKS; i++) {
    CHECK_EQ(out[i].lcs, want[i].lcs);
    CHECK_EQ(out[i].total, want[i].total);
    /* word steps: n x (ceil(m/64) + log) + m x log, log = bits of m */
    uint64_t m = la[i] < lb[i] ? la[i] : lb[i],
             n = la[i] < lb[i] ? lb[i] : la[i];
    uint64_t log = 0;
    for (uint64_t v = m; v; v >>= 1) log++;
    if (log == 0) log = 1;
    uint64_t steps = m ? n * ((m + 63) / 64 + log) + m * log : 0;
    CHECK_EQ(k->cost(&batch, i), steps > 0 ? steps : 1);
  }

  /* A range leaves the other tasks' outputs alone. */
  memset(out, 0xab, sizeof out);
  CHECK_INT_EQ(k->cpu(&batch, 2, 3), 0);
  CHECK_EQ(out[2].lcs, want[2].lcs);
  CHECK_EQ(out[1].lcs, 0xababababu);
  CHECK_EQ(out[3].lcs, 0xababababu);

  /* Malformed tasks: one token short, a header cut short, misaligned. */
  offsets[3] -= 4;
  CHECK_INT_EQ(k->cpu(&batch, 0, TASKS), AS_EINVAL);
  CHECK_INT_EQ(k->cpu(&batch, 2, 3), AS_EINVAL);
  CHECK_EQ(k->cost(&batch, 2), 1);
  offsets[3] += 4;
  uint64_t header_end = offsets[1];
  offsets[1] = offsets[0] + 4;
  CHECK_INT_EQ(k->cpu(&batch, 0, 1), AS_EINVAL);
  offsets[1] = header_end;
  unsigned char *shifted = malloc(offsets[TASKS] + 1);
  if (!shifted) abort();
  memcpy(shifted + 1, buf, offsets[TASKS]);
  batch.data = shifted;
  for (int i = 0; i <= TASKS; i++) offsets[i] += 1;
  CHECK_INT_EQ(k->cpu(&batch, 0, 1), AS_EINVAL);

  free(shifted);
  free(a);
  free(b);
  free(buf);
}

int main(void) {
  test_rng rng = {test_seed()};
  double start = test_now();
  cpu_has_simd = as__lcs_cpu_set_simd(1);
  printf("as__lcs_cpu's SIMD path: %s\n",
         cpu_has_simd ? "checked against the portable one" : "absent here");
  test_known_cases();
  test_random_lengths(&rng);
  test_large_against_dp(&rng);
  test_large_distinct(&rng);
  test_dense_bound(&rng);
  test_similarity_pct();
  test_descriptor(&rng);
  as__lcs_cpu_ws_free(&cpu_ws);
  printf("total %.2f s\n", test_now() - start);
  return test_finish("test_lcs");
}
