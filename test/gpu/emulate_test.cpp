/* The CUDA kernels' bodies (kernels.cuh) run on the host under the SIMT
 * emulation of simt.cuh (every GPU thread a fiber, every collective a
 * barrier) and compared bit for bit with the CPU path, on fresh random inputs
 * (the seed is printed; ACCELSTRAT_TEST_SEED=N replays it). Also: the host
 * checks of filter.h and align.h reject exactly what the CPU functions
 * reject. This
 * needs no GPU; what it cannot see (launch shapes, real memory, the staging
 * of backend.cu) accelstrat-gpu-check covers on a GPU. */
#define AS_SIMT_EMULATE 1

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <algorithm>
#include <vector>

#include "align.h"
#include "filter.h"
#include "kernels.cuh"
extern "C" {
#include "synth.h"
}

#include "test_util.h"

static test_rng rng;
static uint64_t rnd(void) { return test_next(&rng); }
static uint32_t below(uint32_t n) { return test_below(&rng, n); }

/* Tokens from an alphabet of `alphabet` values (0: any 32-bit value) that
 * includes the extremes 0 and UINT32_MAX. */
static uint32_t token(uint32_t alphabet) {
  static const uint32_t edges[] = {0, UINT32_MAX, 1, 0x80000000u};
  if (alphabet == 0) return (uint32_t)rnd();
  uint32_t k = below(alphabet);
  return k < 4 ? edges[k] : k * 0x9e3779b1u + 12345u;
}

/* Runs body(w, lane) for every lane of `warps` warps, one warp at a time. */
template <typename Body> static void run_warps(unsigned warps, Body body) {
  for (unsigned w = 0; w < warps; w++)
    as_simt::run_block(AS_WARP, [&](unsigned lane) { body(w, lane); });
}

/* A ragged batch: tasks' bytes back to back, n + 1 offsets. */
struct ragged {
  std::vector<uint32_t> words;
  std::vector<uint64_t> offsets{0};
  void end_task() { offsets.push_back(words.size() * sizeof(uint32_t)); }
  size_t n() const { return offsets.size() - 1; }
};

/* One pair through as_warp_lcs on one emulated warp. */
static uint32_t warp_lcs(const std::vector<uint32_t> &a,
                         const std::vector<uint32_t> &b) {
  std::vector<uint64_t> work(
      as_warp_lcs_words((uint32_t)a.size(), (uint32_t)b.size()) + 1);
  uint32_t result[AS_WARP];
  run_warps(1, [&](unsigned, unsigned lane) {
    result[lane] = as_warp_lcs(a.data(), (uint32_t)a.size(), b.data(),
                               (uint32_t)b.size(), work.data(), lane);
  });
  for (unsigned l = 1; l < AS_WARP; l++)
    CHECK_MSG(result[l] == result[0], "warp lcs: lanes disagree");
  return result[0];
}

/* One pair through as_shared_lcs on one emulated warp whose shared slice
 * starts as garbage: whether the rows fit, and the LCS in *lcs if so. */
static int shared_lcs(const std::vector<uint32_t> &a,
                      const std::vector<uint32_t> &b, uint32_t *lcs) {
  std::vector<uint64_t> sh(AS_ALIGN_SHARED_WORDS);
  for (auto &w : sh) w = rnd() | 1;
  uint32_t result[AS_WARP];
  int fit[AS_WARP];
  run_warps(1, [&](unsigned, unsigned lane) {
    fit[lane] =
        as_shared_lcs(a.data(), (uint32_t)a.size(), b.data(),
                      (uint32_t)b.size(), sh.data(), lane, &result[lane]);
  });
  for (unsigned l = 1; l < AS_WARP; l++)
    CHECK_MSG(fit[l] == fit[0] && (!fit[0] || result[l] == result[0]),
              "shared lcs %zux%zu: lanes disagree", a.size(), b.size());
  *lcs = result[0];
  return fit[0];
}

static uint32_t cpu_lcs(const std::vector<uint32_t> &a,
                        const std::vector<uint32_t> &b) {
  std::vector<uint64_t> work(
      as_lcs_workspace_words((uint32_t)a.size(), (uint32_t)b.size()) + 1);
  return as_lcs(a.data(), (uint32_t)a.size(), b.data(), (uint32_t)b.size(),
                work.data());
}

/* The textbook DP, a witness that does not share lcs.h's code. */
static uint32_t dp_lcs(const std::vector<uint32_t> &a,
                       const std::vector<uint32_t> &b) {
  std::vector<uint32_t> row(b.size() + 1, 0);
  for (uint32_t x : a) {
    uint32_t diag = 0;
    for (size_t j = 1; j <= b.size(); j++) {
      uint32_t up = row[j];
      row[j] = x == b[j - 1] ? diag + 1 : std::max(row[j], row[j - 1]);
      diag = up;
    }
  }
  return row[b.size()];
}

/* The shared path against the CPU: the LCS when it fits; whether it fits
 * (-1: not checked). Returns whether it fit. */
static int check_shared(const std::vector<uint32_t> &a,
                        const std::vector<uint32_t> &b, int want_fit,
                        const char *what) {
  uint32_t got = 0;
  int fit = shared_lcs(a, b, &got);
  if (want_fit >= 0)
    CHECK_MSG(fit == want_fit, "%s %zux%zu: fits %d, want %d", what, a.size(),
              b.size(), fit, want_fit);
  if (!fit) return 0;
  uint32_t want = cpu_lcs(a, b);
  CHECK_MSG(got == want, "%s %zux%zu: shared lcs %u, want %u", what, a.size(),
            b.size(), got, want);
  if ((uint64_t)a.size() * b.size() <= 200000) {
    uint32_t dp = dp_lcs(a, b);
    CHECK_MSG(want == dp, "%s %zux%zu: as_lcs %u, dp %u", what, a.size(),
              b.size(), want, dp);
  }
  return 1;
}

static std::vector<uint32_t> stream(uint32_t len, uint32_t alphabet) {
  std::vector<uint32_t> s(len);
  for (auto &t : s) t = token(alphabet);
  return s;
}

/* b: a with about one token in `every` changed, dropped or added. */
static std::vector<uint32_t> mutate(const std::vector<uint32_t> &a,
                                    uint32_t every, uint32_t alphabet) {
  std::vector<uint32_t> b;
  for (uint32_t t : a) {
    uint32_t r = below(every * 3);
    if (r == 0) continue;
    b.push_back(r == 1 ? token(alphabet) : t);
    if (r == 2) b.push_back(token(alphabet));
  }
  return b;
}

static void test_warp_lcs(void) {
  static const uint32_t shapes[][3] = {
      /* len_a, len_b, alphabet */
      {1, 1, 2},      {1, 7, 3},      {7, 1, 3},     {0, 5, 2},
      {63, 64, 4},    {64, 64, 2},    {65, 130, 6},  {130, 65, 0},
      {300, 400, 2},  {500, 500, 50}, {700, 900, 0}, {2100, 2200, 4},
      {4100, 4200, 3}};
  for (auto &s : shapes) {
    std::vector<uint32_t> a = stream(s[0], s[2]), b = stream(s[1], s[2]);
    std::vector<uint64_t> work(as_lcs_workspace_words(s[0], s[1]) + 1);
    uint32_t want = as_lcs(a.data(), s[0], b.data(), s[1], work.data());
    uint32_t got = warp_lcs(a, b);
    CHECK_MSG(got == want, "warp lcs %ux%u (alphabet %u): %u, want %u", s[0],
              s[1], s[2], got, want);
  }
  /* Near-duplicates, the align kernel's real input: long carries. */
  for (uint32_t len : {1500u, 2500u}) {
    std::vector<uint32_t> a = stream(len, 200), b = mutate(a, 20, 200);
    std::vector<uint64_t> work(as_lcs_workspace_words(len, (uint32_t)b.size()) +
                               1);
    uint32_t want =
        as_lcs(a.data(), len, b.data(), (uint32_t)b.size(), work.data());
    uint32_t got = warp_lcs(a, b);
    CHECK_MSG(got == want, "warp lcs near-duplicate %zux%zu: %u, want %u",
              a.size(), b.size(), got, want);
  }
}

/* A batch of pairs in the CPU kernel's task layout. */
struct pairs : ragged {
  void add(const std::vector<uint32_t> &a, const std::vector<uint32_t> &b) {
    words.push_back((uint32_t)a.size());
    words.push_back((uint32_t)b.size());
    words.insert(words.end(), a.begin(), a.end());
    words.insert(words.end(), b.begin(), b.end());
    end_task();
  }
};

/* The align bodies through their argument block, as the backend lays it out
 * (warp pairs first, a warp each with a garbage-filled shared slice, then a
 * thread per pair), against the CPU kernel. Returns the warp pairs. */
static uint32_t check_align_batch(const pairs &r, const char *what) {
  uint32_t n = (uint32_t)r.n(), warp_pairs = 0;
  std::vector<uint64_t> work_off(n);
  std::vector<uint32_t> list;
  uint64_t words = 0;
  for (uint32_t i = 0; i < n; i++) {
    const as_align_task *t =
        (const as_align_task *)((const char *)r.words.data() + r.offsets[i]);
    work_off[i] = words;
    words += as_align_task_words(t->len_a, t->len_b);
    if (as_align_uses_warp(t->len_a, t->len_b))
      list.insert(list.begin() + warp_pairs++, i);
    else
      list.push_back(i);
  }
  std::vector<uint64_t> work(words + 1);
  std::vector<as_align_out> out(n), want(n);
  as_align_args a = {(const unsigned char *)r.words.data(),
                     r.offsets.data(),
                     work_off.data(),
                     list.data(),
                     warp_pairs,
                     work.data(),
                     out.data()};
  std::vector<uint64_t> sh(AS_ALIGN_SHARED_WORDS);
  for (uint32_t w = 0; w < warp_pairs; w++) {
    for (auto &x : sh) x = rnd();
    run_warps(1, [&](unsigned, unsigned lane) {
      as_align_warp(a, w, lane, sh.data());
    });
  }
  as_align_args rest = a;
  rest.list += warp_pairs;
  rest.count = n - warp_pairs;
  for (uint32_t k = 0; k < rest.count; k++) as_align_thread(rest, k);

  as_batch b = {&as_kernel_align, n, r.words.data(), r.offsets.data(), NULL, 0,
                want.data()};
  CHECK_MSG(as_kernel_align.cpu(&b, 0, n) == 0, "%s: align cpu failed", what);
  for (uint32_t i = 0; i < n; i++)
    CHECK_MSG(!memcmp(&out[i], &want[i], sizeof want[i]),
              "%s: task %u: lcs %u total %u, want %u %u", what, i, out[i].lcs,
              out[i].total, want[i].lcs, want[i].total);
  return warp_pairs;
}

static void test_align_args(void) {
  pairs r;
  static const uint32_t shapes[][2] = {{0, 0},     {0, 3},       {1, 1},
                                       {64, 65},   {1024, 1030}, {1100, 1024},
                                       {200, 1500}};
  for (auto &s : shapes) {
    std::vector<uint32_t> a = stream(s[0], 30), b = mutate(a, 8, 30);
    b.resize(s[1], 7);
    r.add(a, b);
  }
  uint32_t warp_pairs = check_align_batch(r, "align args");
  CHECK_MSG(warp_pairs == 5, "expected 5 warp pairs, got %u", warp_pairs);
}

/* Every length class against the CPU and the DP: empty streams, m around
 * the 32- and 64-bit words and the lanes' words (32 x 64 = 2048 tokens),
 * tiny and huge alphabets. Up to 64 tokens always fit; up to 256 whenever
 * the alphabet has at most 255 values. */
static void test_shared_lengths(void) {
  static const uint32_t lens[] = {0,   1,   2,    31,   32,   33,   63,
                                  64,  65,  127,  128,  129,  255,  256,
                                  257, 999, 2047, 2048, 2049, 4000, 5000};
  static const uint32_t alphabets[] = {2, 3, 16, 200, 0};
  for (uint32_t len : lens)
    for (uint32_t alphabet : alphabets) {
      std::vector<uint32_t> a = stream(len, alphabet);
      std::vector<uint32_t> b = below(2)
                                    ? mutate(a, 10, alphabet)
                                    : stream(len + below(len + 2), alphabet);
      if (below(2)) std::swap(a, b);
      uint32_t m = (uint32_t)std::min(a.size(), b.size());
      int fit = m <= 64 || (m <= 256 && alphabet && alphabet <= 255) ? 1 : -1;
      check_shared(a, b, fit, "lengths");
    }
}

/* s of m tokens with exactly `distinct` values, 0 and UINT32_MAX among them
 * (its first positions hold each value once, the rest repeat them). */
static std::vector<uint32_t> with_distinct(uint32_t m, uint32_t distinct) {
  std::vector<uint32_t> values = {0, UINT32_MAX};
  while (values.size() < distinct) {
    uint32_t v = (uint32_t)rnd();
    if (std::find(values.begin(), values.end(), v) == values.end())
      values.push_back(v);
  }
  values.resize(distinct);
  std::vector<uint32_t> s(values);
  while (s.size() < m) s.push_back(values[below(distinct)]);
  for (size_t i = s.size(); i > 1; i--) std::swap(s[i - 1], s[below(i)]);
  return s;
}

/* The shared-memory cut-off: s with as many distinct tokens as the rows
 * take fits, one more falls back to as_warp_lcs; both against the CPU,
 * through the warp body. */
static void test_shared_cutoff(void) {
  static const uint32_t lens[] = {65,   128,  129,  200,  256,  257,
                                  1000, 2048, 2049, 4000, 8192, 8193};
  pairs r;
  for (uint32_t m : lens) {
    as_shared_plan p;
    if (!as_shared_plan_of(m, &p)) {
      CHECK_MSG(m > AS_WARP * AS_ALIGN_LANE_WORDS * 64, "no plan for %u", m);
      std::vector<uint32_t> a = stream(m, 2);
      r.add(a, mutate(a, 10, 2));
      continue;
    }
    for (uint32_t distinct : {p.ids, p.ids + 1}) {
      if (distinct > m) continue;
      std::vector<uint32_t> a = with_distinct(m, distinct);
      std::vector<uint32_t> b = mutate(a, 6, 0); /* s stays a: b longer */
      for (size_t i = 0; i < b.size(); i += 3) b[i] = a[below(m)];
      while (b.size() <= m) b.push_back(a[below(m)]);
      check_shared(a, b, distinct <= p.ids, "cut-off");
      r.add(a, b);
    }
  }
  check_align_batch(r, "cut-off");
}

/* Carries that cross words with no match: s in blocks of `block` tokens
 * (whole words), one token per block in turn, so a column's token is absent
 * from whole words and from whole lanes' words, and the carry out of a
 * matched word must pass through them (inside a lane and between lanes). */
static void test_shared_carries(void) {
  static const uint32_t lens[] = {130, 2049, 4200, 8192};
  static const uint32_t tokens[] = {0, UINT32_MAX, 7};
  for (uint32_t m : lens)
    for (uint32_t block : {64u, 128u, 192u})
      for (uint32_t kinds : {2u, 3u}) {
        std::vector<uint32_t> a(m), b;
        for (uint32_t p = 0; p < m; p++) a[p] = tokens[p / block % kinds];
        if (below(2))
          b = mutate(a, 5 + below(40), kinds);
        else
          for (uint32_t j = 0; j < m + below(m); j++)
            b.push_back(tokens[below(kinds)]);
        while (b.size() <= m) b.push_back(tokens[below(kinds)]);
        check_shared(a, b, 1, "carries");
      }
}

/* Fresh random pairs of every class, near-duplicates and unrelated ones,
 * through the warp body (shared rows or the fallback) against the CPU; the
 * ones whose rows fit also through as_shared_lcs alone. Both paths must
 * have run. */
static void test_shared_random(void) {
  static const uint32_t classes[][2] = {
      {0, 65}, {65, 257}, {257, 2100}, {2100, 5000}};
  static const uint32_t alphabets[] = {2, 5, 40, 300, 0};
  pairs r;
  int fits = 0, count = 48;
  for (int i = 0; i < count; i++) {
    const uint32_t *c = classes[below(4)];
    uint32_t len = c[0] + below(c[1] - c[0]);
    uint32_t alphabet = alphabets[below(5)];
    std::vector<uint32_t> a = stream(len, alphabet), b;
    if (below(3))
      b = mutate(a, 2 + below(30), alphabet);
    else
      b = stream(below(2 * len + 2), alphabet);
    if (below(2)) std::swap(a, b);
    fits += check_shared(a, b, -1, "random");
    r.add(a, b);
  }
  check_align_batch(r, "random");
  CHECK_MSG(fits > 0 && fits < count, "%d of %d random pairs fit", fits, count);
}

/* The filter body through its argument block, one emulated thread per
 * task as the backend launches it, against the CPU kernel: families of
 * near-duplicate streams, more than AS_FILTER_BLOCK functions (so queries
 * have several blocks of partners), thresholds from loose to exact. */
static void test_filter(void) {
  static const double thresholds[] = {0.3, 0.65, 0.8, 0.95, 1.0};
  size_t kept = 0;
  for (double s : thresholds) {
    as_synth_shape shape = {1200, 1, 120, 2 + below(60), 2 + below(20), s};
    as_synth syn;
    CHECK_MSG(as__synth_make(&syn, &as_kernel_filter, &shape, rnd()) == 0,
              "filter synth failed");
    const as_batch &b = syn.batch;
    std::vector<as_filter_out> out(b.n), want(b.n);
    as_filter_args a = {(const as_filter_shared *)b.shared,
                        (const as_filter_task *)b.data, (uint32_t)b.n,
                        out.data()};
    for (uint32_t k = 0; k < a.count; k++) as_filter_thread(a, k);
    as_batch c = b;
    c.out = want.data();
    CHECK_MSG(as_kernel_filter.cpu(&c, 0, b.n) == 0, "filter cpu failed");
    const as_filter_shared *hdr = (const as_filter_shared *)b.shared;
    const as_filter_task *tasks = (const as_filter_task *)b.data;
    CHECK_MSG(hdr->n > AS_FILTER_BLOCK && tasks[b.n - 1].block > 0,
              "one block of partners only (%u functions)", hdr->n);
    for (size_t i = 0; i < b.n; i++) {
      CHECK_MSG(!memcmp(&out[i], &want[i], sizeof want[i]),
                "filter s %g: task %zu (query %u, block %u) differs", s, i,
                tasks[i].query, tasks[i].block);
      for (uint64_t w : want[i].bits) kept += (size_t)__builtin_popcountll(w);
    }
    as__synth_free(&syn);
  }
  CHECK_MSG(kept > 0, "no pair kept at any threshold");
}

/* The host checks reject a batch exactly when the CPU function does. */
static void expect_same_verdict(const as_batch *b, int gpu_rc,
                                const char *what) {
  std::vector<unsigned char> out(b->n * b->kernel->out_size + 1);
  as_batch copy = *b;
  copy.out = out.data();
  int cpu_rc = b->kernel->cpu(&copy, 0, b->n);
  CHECK_MSG(cpu_rc == gpu_rc, "%s: cpu %d, gpu checks %d", what, cpu_rc,
            gpu_rc);
}

/* Damaged filter blocks and tasks: the check the backend makes before it
 * copies anything, against the CPU's verdict. */
static void test_filter_validation(void) {
  as_synth_shape shape = {40, 1, 30, 8, 4, 0.7};
  as_synth syn;
  CHECK_MSG(as__synth_make(&syn, &as_kernel_filter, &shape, rnd()) == 0,
            "filter synth failed");
  as_batch &b = syn.batch;
  as_filter_shared *hdr = (as_filter_shared *)syn.shared;
  as_filter_task *tasks = (as_filter_task *)syn.words;
  as_filter_view v;
  as_filter_view_init(hdr, &v);
  uint32_t *len = (uint32_t *)v.len, *post = (uint32_t *)v.post;
  struct {
    const char *what;
    uint32_t *field, value;
  } damage[] = {
      {"filter ok", &len[0], len[0]},
      {"filter length", &len[1], len[1] + 1},
      {"filter posting", &post[0], hdr->n},
      {"filter reserved", &hdr->reserved, 1},
      {"filter query", &tasks[3].query, hdr->n},
  };
  for (auto &d : damage) {
    uint32_t keep = *d.field;
    *d.field = d.value;
    as_filter_view check;
    expect_same_verdict(&b, as__check_filter(&b, 0, b.n, &check), d.what);
    *d.field = keep;
  }
  size_t size = b.shared_size;
  b.shared_size = sizeof *hdr + 4;
  as_filter_view check;
  expect_same_verdict(&b, as__check_filter(&b, 0, b.n, &check),
                      "filter block short");
  b.shared_size = size;
  uint64_t end = syn.offsets[b.n];
  syn.offsets[b.n] -= 4;
  expect_same_verdict(&b, as__check_filter(&b, 0, b.n, &check),
                      "filter task short");
  syn.offsets[b.n] = end;
  as__synth_free(&syn);
}

static void test_validation(void) {
  uint32_t words[64] = {0};
  struct {
    uint32_t len_a, len_b;
    uint64_t size;
    const char *what;
  } al[] = {
      {2, 3, 8 + 20, "align ok"},
      {2, 3, 8 + 24, "align too long"},
      {2, 3, 8 + 16, "align too short"},
      {0, 0, 4, "align no header"},
      {UINT32_MAX, 2, 8 + 12, "align length overflow"},
  };
  for (auto &c : al) {
    words[0] = c.len_a;
    words[1] = c.len_b;
    uint64_t o[2] = {0, c.size};
    as_batch a = {&as_kernel_align, 1, words, o, NULL, 0, NULL};
    expect_same_verdict(&a, as__check_align(&a, 0, 1), c.what);
  }

  test_filter_validation();
}

int main(void) {
  rng.state = test_seed();
  struct {
    const char *name;
    void (*fn)(void);
  } tests[] = {
      {"validation", test_validation},
      {"filter", test_filter},
      {"warp_lcs", test_warp_lcs},
      {"align_args", test_align_args},
      {"shared_lengths", test_shared_lengths},
      {"shared_cutoff", test_shared_cutoff},
      {"shared_carries", test_shared_carries},
      {"shared_random", test_shared_random},
  };
  for (auto &t : tests) {
    int before = test_failures;
    time_t start = time(NULL);
    t.fn();
    printf("%s %s (%lds)\n", test_failures == before ? "ok  " : "FAIL", t.name,
           (long)(time(NULL) - start));
  }
  return test_failures ? 1 : 0;
}
