/* The device side of the two built-in kernels. Each body computes exactly
 * what the CPU computes with the shared math of filter.h and lcs.h: the
 * filter and align-per-thread bodies call those functions; the warp LCS
 * reorganises the same computation for a warp and is checked against them
 * by test/gpu/emulate_test.cpp (on the host) and by accelstrat-gpu-check (on a
 * GPU).
 *
 * Bodies take their position as arguments, so the same code runs under the
 * host emulation of simt.cuh; the __global__ wrappers at the end only read
 * blockIdx/threadIdx. */
#ifndef ACCELSTRAT_GPU_CUDA_KERNELS_CUH
#define ACCELSTRAT_GPU_CUDA_KERNELS_CUH

#include <stddef.h>
#include <stdint.h>

#include <accelstrat/kernels.h>

#include "filter.h"
#include "lcs.h"
#include "lcs_shared.cuh"
#include "simt.cuh"

/* ---- align: one warp per pair (both streams non-empty), in a slice of its
 * block's shared memory: the shorter stream's match rows there when they fit
 * (lcs_shared.cuh), otherwise as_warp_lcs below in the pair's global
 * workspace, the same bit-parallel algorithm on lcs.h's sorted pairs with
 * lane l owning words l, l+32, ... of V. Pairs with an empty stream, and
 * those past the warp sort's bound, run as_lcs in a thread each. All give
 * LCS(a, b), the one integer the CPU computes.
 *
 * Launch shape of the warp kernel: blocks of AS_ALIGN_WARPS warps, each with
 * AS_ALIGN_SHARED_WORDS words (12 KiB) of static shared memory, 24 KiB a
 * block. On sm_90, with 228 KiB of shared memory an SM and 1 KiB of it
 * reserved per block, 9 blocks fit: 18 warps an SM, 28% occupancy, and that
 * is the bound. ptxas (-Xptxas -v, sm_90) gives the kernel 56 registers, no
 * spills, no stack: registers alone would allow 18 blocks (65536 / (56 x
 * 64)). Two warps a block fit more warps an SM than one (17) or four (16).
 * The driver sizes the shared-memory carveout to the kernel's need. */

#define AS_ALIGN_THREADS 128u
#define AS_ALIGN_WARPS 2u
#define AS_ALIGN_WARP_THREADS (AS_ALIGN_WARPS * AS_WARP)
/* Beyond this the warp's sort would need 64-bit indices; as_lcs takes it. */
#define AS_ALIGN_WARP_MAX (1u << 30)

struct as_align_args {
  const unsigned char *data; /* the sub-chunk's task bytes */
  const uint64_t *off;       /* tasks + 1 offsets into data */
  const uint64_t *work_off;  /* per task: its workspace, in words */
  const uint32_t *list;      /* the tasks this launch runs */
  uint32_t count;            /* entries of list */
  uint64_t *work;
  as_align_out *out; /* per task */
};

AS_HD uint64_t as_align_pow2(uint32_t m) {
  uint64_t p = 1;
  while (p < m) p <<= 1;
  return p;
}

AS_HD int as_align_uses_warp(uint32_t len_a, uint32_t len_b) {
  uint32_t m = len_a < len_b ? len_a : len_b;
  return m >= 1 && m <= AS_ALIGN_WARP_MAX;
}

/* Workspace words of as_warp_lcs: the sort needs a power of two of pairs,
 * then the same V, scratch and heavy masks as as_lcs. */
AS_HD uint64_t as_warp_lcs_words(uint32_t len_a, uint32_t len_b) {
  uint32_t m = len_a < len_b ? len_a : len_b;
  if (m == 0) return 0;
  uint64_t words = as__lcs_words(m);
  return as_align_pow2(m) + 2 * words +
         (uint64_t)as__lcs_heavy_max(m) * (words + 1);
}

AS_HD uint64_t as_align_task_words(uint32_t len_a, uint32_t len_b) {
  return as_align_uses_warp(len_a, len_b)
             ? as_warp_lcs_words(len_a, len_b)
             : as_lcs_workspace_words(len_a, len_b);
}

/* Sorts x[0, p) ascending (p a power of two): bitonic, each lane taking
 * every 32nd compare-exchange of a step. */
AS_DEV void as_warp_sort(uint64_t *x, uint32_t p, unsigned lane) {
  for (uint32_t k = 2; k <= p && k != 0; k <<= 1) {
    for (uint32_t j = k >> 1; j > 0; j >>= 1) {
      for (uint32_t q = lane; q < p / 2; q += AS_WARP) {
        uint32_t i = ((q & ~(j - 1)) << 1) | (q & (j - 1));
        uint64_t lo = x[i], hi = x[i + j];
        int ascending = (i & k) == 0;
        if ((lo > hi) == ascending) {
          x[i] = hi;
          x[i + j] = lo;
        }
      }
      as_syncwarp();
    }
  }
}

/* as__lcs_set_bits for a warp: sets in mask the bits of the positions in
 * pairs[begin, end), which ascend (one token's run). 32 positions at a time,
 * the lanes holding the same word OR their bits together down to the first
 * of them, which alone writes the word. */
AS_DEV void as_warp_set_bits(uint64_t *mask, const uint64_t *pairs,
                             uint32_t begin, uint32_t end, unsigned lane) {
  for (uint32_t base = begin; base < end; base += AS_WARP) {
    uint32_t k = base + lane;
    int in = k < end && k >= base;
    uint32_t p = in ? as__lcs_pair_position(pairs[k]) : 0;
    uint32_t w = in ? p / 64 : UINT32_MAX;
    uint64_t bits = in ? 1ULL << (p % 64) : 0;
    for (unsigned d = 1; d < AS_WARP; d <<= 1) {
      uint64_t other_bits = as_shfl_down64(bits, d);
      uint32_t other_w = as_shfl_down32(w, d);
      if (lane + d < AS_WARP && other_w == w) bits |= other_bits;
    }
    uint32_t prev_w = as_shfl_up32(w, 1);
    if (in && (lane == 0 || prev_w != w)) mask[w] |= bits;
    as_syncwarp();
  }
}

/* as__lcs_step for a warp, 32 words at a time from word `first`'s group on,
 * as long as the CPU's loop would go (word `last`, then while a carry is
 * left). The carry into lane l is bit l of G + (G|P) + carry-in, where G and
 * P are the lanes whose V + U overflows, or would with a carry in; the carry
 * out of the group is that sum's bit 32. Words of the group the CPU does not
 * visit have U = 0 and no carry in, so they keep their value. When `clear`
 * is set, the words of match (the scratch mask) are zeroed as they are read.
 */
AS_DEV void as_warp_step(uint64_t *v, const uint64_t *match, uint64_t *clear,
                         uint32_t first, uint32_t last, uint32_t words,
                         unsigned lane) {
  uint32_t carry = 0;
  for (uint32_t group = first / AS_WARP;; group++) {
    uint32_t w = group * AS_WARP + lane;
    int in = w < words;
    uint64_t vw = in ? v[w] : 0, mw = in ? match[w] : 0;
    if (clear && mw) clear[w] = 0;
    uint64_t uw = vw & mw, sum = vw + uw;
    uint32_t gen = as_ballot(sum < vw), prop = as_ballot(sum == ~0ULL);
    uint64_t total = (uint64_t)gen + (gen | prop) + carry;
    uint32_t carry_in = (((uint32_t)total ^ gen ^ (gen | prop)) >> lane) & 1u;
    if (in) v[w] = (sum + carry_in) | (vw & ~uw);
    carry = (uint32_t)(total >> 32);
    if ((uint64_t)(group + 1) * AS_WARP >= words) break;
    if (group >= last / AS_WARP && !carry) break;
  }
}

/* Finds the heavy tokens (as__lcs_is_heavy) of the sorted pairs and writes
 * them ascending to heavy_tokens as (token << 32 | first index of its run),
 * the form as__lcs_after_token searches. Returns how many. */
AS_DEV uint32_t as_warp_find_heavy(const uint64_t *pairs, uint32_t m,
                                   uint32_t words, uint64_t *heavy_tokens,
                                   unsigned lane) {
  uint32_t heavy = 0;
  for (uint32_t base = 0; base < m; base += AS_WARP) {
    uint32_t k = base + lane;
    int is_heavy = 0;
    uint64_t entry = 0;
    if (k < m && k >= base) {
      uint32_t token = as__lcs_pair_token(pairs[k]);
      if (k == 0 || as__lcs_pair_token(pairs[k - 1]) != token) {
        uint32_t end = as__lcs_after_token(pairs, m, token);
        is_heavy = as__lcs_is_heavy(end - k, words);
        entry = (uint64_t)token << 32 | k;
      }
    }
    unsigned ballot = as_ballot(is_heavy);
    if (is_heavy)
      heavy_tokens[heavy + as_popc(ballot & ((1u << lane) - 1))] = entry;
    heavy += as_popc(ballot);
  }
  as_syncwarp();
  return heavy;
}

/* Where column token `token` finds its mask: found = 0 when it does not occur
 * in s; slot = UINT32_MAX for a light token (mask built in scratch). */
struct as_lcs_column {
  uint32_t found, begin, end, first, last, slot;
};

AS_DEV as_lcs_column as_lcs_lookup(const uint64_t *pairs, uint32_t m,
                                   const uint64_t *heavy_tokens, uint32_t heavy,
                                   uint32_t words, uint32_t token) {
  as_lcs_column c = {0, 0, 0, 0, 0, UINT32_MAX};
  uint32_t end = as__lcs_after_token(pairs, m, token);
  if (end == 0 || as__lcs_pair_token(pairs[end - 1]) != token) return c;
  c.found = 1;
  c.end = end;
  c.begin = token == 0 ? 0 : as__lcs_after_token(pairs, end, token - 1);
  c.first = as__lcs_pair_position(pairs[c.begin]) / 64;
  c.last = as__lcs_pair_position(pairs[end - 1]) / 64;
  if (as__lcs_is_heavy(end - c.begin, words))
    c.slot = as__lcs_after_token(heavy_tokens, heavy, token) - 1;
  return c;
}

/* LCS(a, b) by one warp; work has as_warp_lcs_words(la, lb) words. The
 * layout and every step follow as_lcs. Column lookups (binary searches) are
 * done 32 columns at a time, one per lane, then handed round by shuffles. */
AS_DEV uint32_t as_warp_lcs(const uint32_t *a, uint32_t la, const uint32_t *b,
                            uint32_t lb, uint64_t *work, unsigned lane) {
  const uint32_t *s = la <= lb ? a : b, *t = la <= lb ? b : a;
  uint32_t m = la <= lb ? la : lb, n = la <= lb ? lb : la;
  if (m == 0) return 0;
  uint32_t words = as__lcs_words(m);
  uint32_t p = (uint32_t)as_align_pow2(m);
  uint64_t *pairs = work;
  uint64_t *v = pairs + p;
  uint64_t *scratch = v + words;
  uint64_t *heavy_tokens = scratch + words;
  uint64_t *heavy_masks = heavy_tokens + as__lcs_heavy_max(m);

  for (uint32_t k = lane; k < p; k += AS_WARP)
    pairs[k] = k < m ? (uint64_t)s[k] << 32 | k : ~0ULL;
  for (uint32_t w = lane; w < words; w += AS_WARP) {
    v[w] = ~0ULL;
    scratch[w] = 0;
  }
  as_syncwarp();
  as_warp_sort(pairs, p, lane);

  uint32_t heavy = as_warp_find_heavy(pairs, m, words, heavy_tokens, lane);
  for (uint32_t h = 0; h < heavy; h++) {
    uint64_t entry = heavy_tokens[h];
    uint32_t token = as__lcs_pair_token(entry);
    uint32_t begin = as__lcs_pair_position(entry);
    uint32_t end = as__lcs_after_token(pairs, m, token);
    uint64_t *mask = heavy_masks + (size_t)h * words;
    for (uint32_t w = lane; w < words; w += AS_WARP) mask[w] = 0;
    as_syncwarp();
    as_warp_set_bits(mask, pairs, begin, end, lane);
  }

  for (uint32_t j0 = 0; j0 < n; j0 += AS_WARP) {
    as_lcs_column mine = {0, 0, 0, 0, 0, UINT32_MAX};
    if (j0 + lane < n)
      mine = as_lcs_lookup(pairs, m, heavy_tokens, heavy, words, t[j0 + lane]);
    uint32_t columns = n - j0 < AS_WARP ? n - j0 : AS_WARP;
    for (uint32_t c = 0; c < columns; c++) {
      if (!as_shfl32(mine.found, c)) continue;
      uint32_t begin = as_shfl32(mine.begin, c), end = as_shfl32(mine.end, c);
      uint32_t first = as_shfl32(mine.first, c), last = as_shfl32(mine.last, c);
      uint32_t slot = as_shfl32(mine.slot, c);
      if (slot != UINT32_MAX) {
        as_warp_step(v, heavy_masks + (size_t)slot * words, NULL, first, last,
                     words, lane);
      } else {
        as_warp_set_bits(scratch, pairs, begin, end, lane);
        as_warp_step(v, scratch, scratch, first, last, words, lane);
      }
      as_syncwarp();
    }
  }

  uint32_t zeros = 0;
  for (uint32_t w = lane; w < words; w += AS_WARP) zeros += as_popc64(~v[w]);
  return as_reduce_add32(zeros);
}

AS_DEV const as_align_task *as_align_task_at(const as_align_args &a,
                                             uint32_t i) {
  return (const as_align_task *)(a.data + a.off[i]);
}

AS_DEV void as_align_thread(const as_align_args &a, uint32_t k) {
  uint32_t i = a.list[k];
  const as_align_task *task = as_align_task_at(a, i);
  const uint32_t *ta = (const uint32_t *)(task + 1), *tb = ta + task->len_a;
  as_align_out o;
  o.lcs = as_lcs(ta, task->len_a, tb, task->len_b, a.work + a.work_off[i]);
  o.total = task->len_a + task->len_b;
  a.out[i] = o;
}

/* Pair k of the list by the warp whose shared slice is sh
 * (AS_ALIGN_SHARED_WORDS words). */
AS_DEV void as_align_warp(const as_align_args &a, uint32_t k, unsigned lane,
                          uint64_t *sh) {
  uint32_t i = a.list[k];
  const as_align_task *task = as_align_task_at(a, i);
  uint32_t la = task->len_a, lb = task->len_b;
  const uint32_t *ta = (const uint32_t *)(task + 1), *tb = ta + la;
  as_align_out o;
  o.total = la + lb;
  if (!as_shared_lcs(ta, la, tb, lb, sh, lane, &o.lcs))
    o.lcs = as_warp_lcs(ta, la, tb, lb, a.work + a.work_off[i], lane);
  if (lane == 0) a.out[i] = o;
}

/* ---- filter: one thread per task, running as_filter_task_run of filter.h
 * itself over the shared block on the device, so its bits are the CPU's by
 * construction. The output is built in the thread's own copy and written
 * once. */

#define AS_FILTER_THREADS 128u

struct as_filter_args {
  const as_filter_shared *shared; /* the block, on the device */
  const as_filter_task *tasks;    /* this launch's tasks, back to back */
  uint32_t count;
  as_filter_out *out; /* per task */
};

AS_DEV void as_filter_thread(const as_filter_args &a, uint32_t k) {
  as_filter_view v;
  as_filter_view_init(a.shared, &v);
  as_filter_out o;
  as_filter_task_run(&v, a.tasks[k], &o);
  a.out[k] = o;
}

#ifndef AS_SIMT_EMULATE

__global__ void __launch_bounds__(AS_ALIGN_THREADS)
    as_align_thread_kernel(as_align_args a) {
  uint32_t k = blockIdx.x * AS_ALIGN_THREADS + threadIdx.x;
  if (k < a.count) as_align_thread(a, k);
}

__global__ void __launch_bounds__(AS_FILTER_THREADS)
    as_filter_kernel(as_filter_args a) {
  uint32_t k = blockIdx.x * AS_FILTER_THREADS + threadIdx.x;
  if (k < a.count) as_filter_thread(a, k);
}

/* Nine blocks an SM is what the shared memory allows (see align's top);
 * the bound leaves ptxas up to 112 registers a thread, twice what it takes. */
__global__ void __launch_bounds__(AS_ALIGN_WARP_THREADS, 9)
    as_align_warp_kernel(as_align_args a) {
  __shared__ uint64_t sh[AS_ALIGN_WARPS][AS_ALIGN_SHARED_WORDS];
  unsigned warp = threadIdx.x / AS_WARP;
  uint32_t k = blockIdx.x * AS_ALIGN_WARPS + warp;
  if (k < a.count) /* warp-uniform */
    as_align_warp(a, k, threadIdx.x % AS_WARP, sh[warp]);
}

#endif

#endif
