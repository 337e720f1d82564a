/* The align kernel (LCS: lcs.h's as_lcs, lcs_cpu.c's as__lcs_cpu with and
 * without its SIMD path, the kernel's CPU function, as_run on two threads)
 * against the textbook dynamic programme. The first input byte picks the
 * mode:
 *
 * even: the rest decodes to up to 8 pairs of streams (lengths up to 1200,
 *   never much more than the input left; tokens over one of fuzz_kernel.h's
 *   alphabets; b drawn on its own or a stretched copy of a with some tokens
 *   redrawn), and every implementation, either way round, must give the
 *   programme's LCS, and the kernel's total len_a + len_b;
 * odd: the rest is a batch's raw data with offsets from the input (any
 *   order, any alignment, any task headers): the kernel must refuse it
 *   (AS_EINVAL) exactly when a plain reading of the format (kernels.h)
 *   says it is malformed, and compute it right otherwise. */
#include "fuzz_kernel.h"

#include "lcs.h"
#include "lcs_cpu.h"

static as_lcs_cpu_ws ws;
static int have_simd;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  fuzz_kernel_init();
  have_simd = as__lcs_cpu_set_simd(1);
  have_simd = as__lcs_cpu_set_simd(1); /* the previous setting: on if any */
  return 0;
}

static void check_pair(const uint32_t *a, uint32_t la, const uint32_t *b,
                       uint32_t lb, uint32_t want) {
  uint32_t got[6] = {lcs_exact_workspace(a, la, b, lb),
                     lcs_exact_workspace(b, lb, a, la),
                     0,
                     0,
                     want,
                     want};
  as__lcs_cpu_set_simd(0);
  FUZZ_CHECK(as__lcs_cpu(a, la, b, lb, &ws, &got[2]) == 0 &&
                 as__lcs_cpu(b, lb, a, la, &ws, &got[3]) == 0,
             "as__lcs_cpu failed");
  if (have_simd) {
    as__lcs_cpu_set_simd(1);
    FUZZ_CHECK(as__lcs_cpu(a, la, b, lb, &ws, &got[4]) == 0 &&
                   as__lcs_cpu(b, lb, a, la, &ws, &got[5]) == 0,
               "as__lcs_cpu (SIMD) failed");
  }
  for (int k = 0; k < 6; k++)
    FUZZ_CHECK(got[k] == want,
               "la %u lb %u: as_lcs %u %u, as__lcs_cpu %u %u, SIMD %u %u, "
               "dynamic programme %u",
               la, lb, got[0], got[1], got[2], got[3], got[4], got[5], want);
}

/* Runs batch b through the CPU function and as_run: both return rc and,
 * when 0, the outputs want. */
static void check_batch(const as_batch *b, int rc_want,
                        const as_align_out *want) {
  size_t n = b->n ? b->n : 1;
  as_align_out *out = malloc(n * sizeof *out);
  as_batch run = *b;
  run.out = out;
  for (int via_executor = 0; via_executor < 2; via_executor++) {
    memset(out, 0xa5, n * sizeof *out);
    as_report rep;
    int rc = via_executor ? as_run(fuzz_executor, &run, &rep)
                          : as_kernel_align.cpu(&run, 0, run.n);
    FUZZ_CHECK(rc == rc_want, "%s: rc %d, want %d (%zu tasks)",
               via_executor ? "as_run" : "the CPU function", rc, rc_want,
               run.n);
    for (size_t i = 0; rc == 0 && i < run.n; i++)
      FUZZ_CHECK(out[i].lcs == want[i].lcs && out[i].total == want[i].total,
                 "%s: task %zu: lcs %u total %u, want %u %u",
                 via_executor ? "as_run" : "the CPU function", i, out[i].lcs,
                 out[i].total, want[i].lcs, want[i].total);
  }
  free(out);
}

static void pairs_mode(fuzz_in *in) {
  enum { MAX_TASKS = 8, MAX_LEN = 1200 };
  size_t n = 1 + fuzz_u8(in) % MAX_TASKS;
  int kind = fuzz_u8(in) % ALPHABETS;
  uint32_t *words = malloc((size_t)MAX_TASKS * (2 * MAX_LEN + 2) * 4);
  uint64_t offsets[MAX_TASKS + 1];
  as_align_out want[MAX_TASKS];
  size_t at = 0;
  for (size_t t = 0; t < n; t++) {
    uint32_t la = fuzz_u32(in) % (MAX_LEN + 1),
             lb = fuzz_u32(in) % (MAX_LEN + 1);
    uint32_t room = (uint32_t)(2 * in->n + 8);
    if (la > room) la = room;
    if (lb > room) lb = room;
    int related = fuzz_u8(in) & 1;
    uint32_t *w = words + at, *a = w + 2, *b = a + la;
    w[0] = la, w[1] = lb;
    for (uint32_t i = 0; i < la; i++) a[i] = fuzz_token(in, kind);
    for (uint32_t j = 0; j < lb; j++) {
      uint8_t keep = related ? fuzz_u8(in) : 0;
      b[j] = la && keep < 200 && related ? a[(uint64_t)j * la / lb]
                                         : fuzz_token(in, kind);
    }
    offsets[t] = at * 4;
    at += 2 + (size_t)la + lb;
    want[t].lcs = as_lcs_dp(a, la, b, lb);
    want[t].total = la + lb;
    check_pair(a, la, b, lb, want[t].lcs);
  }
  offsets[n] = at * 4;
  as_batch b = {&as_kernel_align, n, words, offsets, NULL, 0, NULL};
  check_batch(&b, 0, want);
  free(words);
}

/* Task i of the raw batch, as kernels.h describes the format: NULL when
 * malformed. */
static const uint32_t *raw_task(const unsigned char *data,
                                const uint64_t *offsets, size_t i) {
  uint64_t begin = offsets[i], end = offsets[i + 1];
  if (end < begin || end - begin < 8 || begin % 4 != 0) return NULL;
  const uint32_t *w = (const uint32_t *)(data + begin);
  uint64_t tokens = (uint64_t)w[0] + w[1];
  if (tokens > UINT32_MAX || end - begin != 8 + 4 * tokens) return NULL;
  return w;
}

static void raw_mode(fuzz_in *in) {
  enum { MAX_TASKS = 6 };
  size_t n = fuzz_u8(in) % (MAX_TASKS + 1);
  uint16_t cut[MAX_TASKS + 1];
  for (size_t i = 0; i <= n; i++)
    cut[i] = (uint16_t)(fuzz_u8(in) | fuzz_u8(in) << 8);
  size_t size = in->n;
  uint32_t *words = malloc(size / 4 * 4 + 8);
  memcpy(words, in->p, size);
  const unsigned char *data = (const unsigned char *)words;
  /* Offsets within the data, the last one its end. */
  uint64_t offsets[MAX_TASKS + 1];
  for (size_t i = 0; i <= n; i++) offsets[i] = cut[i] % (size + 1);
  offsets[n] = size;
  int valid = 1;
  as_align_out want[MAX_TASKS];
  for (size_t i = 0; i < n && valid; i++) {
    const uint32_t *w = raw_task(data, offsets, i);
    valid = w != NULL;
    if (valid) {
      want[i].lcs = as_lcs_dp(w + 2, w[0], w + 2 + w[0], w[1]);
      want[i].total = w[0] + w[1];
    }
  }
  as_batch b = {&as_kernel_align, n, words, offsets, NULL, 0, NULL};
  check_batch(&b, valid ? 0 : AS_EINVAL, want);
  free(words);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_in in = {data, size};
  if (fuzz_u8(&in) & 1)
    raw_mode(&in);
  else
    pairs_mode(&in);
  return 0;
}
