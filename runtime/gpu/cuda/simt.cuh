/* The few SIMT primitives the kernel bodies use (warp votes, shuffles, a
 * warp sum, a warp barrier, atomics on a warp's shared memory), written once
 * for the device and once as a host emulation: with AS_SIMT_EMULATE every
 * thread of a block is a fiber and each collective a barrier, so
 * test/gpu/emulate_test.cpp runs the very kernel bodies of kernels.cuh on a
 * machine without a GPU.
 *
 * The rule the bodies follow so both versions mean the same: every
 * collective is reached by all 32 lanes of the warp (full mask,
 * warp-uniform control flow). */
#ifndef ACCELSTRAT_GPU_CUDA_SIMT_CUH
#define ACCELSTRAT_GPU_CUDA_SIMT_CUH

#include <stdint.h>

#define AS_WARP 32u

#ifndef AS_SIMT_EMULATE

#define AS_DEV __device__ __forceinline__
/* A pragma for nvcc only ("unroll"), empty in the emulation. */
#define AS_DEVICE_PRAGMA(p) _Pragma(#p)

AS_DEV unsigned as_ballot(int pred) { return __ballot_sync(0xffffffffu, pred); }
AS_DEV uint32_t as_shfl32(uint32_t v, unsigned src) {
  return __shfl_sync(0xffffffffu, v, (int)src);
}
/* Lanes below d keep their own value. */
AS_DEV uint32_t as_shfl_up32(uint32_t v, unsigned d) {
  return __shfl_up_sync(0xffffffffu, v, d);
}
/* Lanes at or above 32 - d keep their own value. */
AS_DEV uint32_t as_shfl_down32(uint32_t v, unsigned d) {
  return __shfl_down_sync(0xffffffffu, v, d);
}
AS_DEV uint64_t as_shfl_down64(uint64_t v, unsigned d) {
  return __shfl_down_sync(0xffffffffu, (unsigned long long)v, d);
}
AS_DEV uint32_t as_reduce_add32(uint32_t v) {
  return __reduce_add_sync(0xffffffffu, v);
}
AS_DEV void as_syncwarp(void) { __syncwarp(); }
AS_DEV unsigned as_popc(uint32_t x) { return (unsigned)__popc(x); }
AS_DEV unsigned as_popc64(uint64_t x) { return (unsigned)__popcll(x); }
/* Atomics on words other lanes of the warp may touch at the same time: the
 * old value. */
AS_DEV uint64_t as_atomic_cas64(uint64_t *p, uint64_t expect, uint64_t value) {
  return atomicCAS((unsigned long long *)p, (unsigned long long)expect,
                   (unsigned long long)value);
}
AS_DEV void as_atomic_or64(uint64_t *p, uint64_t bits) {
  atomicOr((unsigned long long *)p, (unsigned long long)bits);
}

#else /* AS_SIMT_EMULATE */

#include <ucontext.h>

#include <functional>
#include <memory>
#include <vector>

#define AS_DEV inline
#define AS_DEVICE_PRAGMA(p)

/* Each emulated GPU thread is a fiber (ucontext) of one host thread, run
 * round-robin: a fiber runs until it waits at a barrier, so a block's threads
 * interleave only at collectives and the emulation is deterministic. */
namespace as_simt {

struct fibers {
  ucontext_t scheduler;
  std::vector<ucontext_t> ctx;
  unsigned current = 0;
};
inline fibers *running;

inline void yield() {
  swapcontext(&running->ctx[running->current], &running->scheduler);
}

struct barrier {
  unsigned n = 0, waiting = 0;
  unsigned long generation = 0;
  void wait() {
    unsigned long gen = generation;
    if (++waiting == n) {
      waiting = 0;
      generation++;
      return;
    }
    while (generation == gen) yield();
  }
};

struct warp {
  barrier bar;
  uint64_t slot[AS_WARP];
};

/* Who the running fiber is (set by the scheduler before each switch). */
struct self {
  unsigned lane;
  warp *w;
};
inline self me;

/* Runs body(tid) for tid in [0, threads) as one block of fibers. */
inline void run_block(unsigned threads,
                      const std::function<void(unsigned)> &body) {
  const size_t stack = 256 * 1024;
  fibers f;
  std::vector<warp> warps((threads + AS_WARP - 1) / AS_WARP);
  for (auto &w : warps) w.bar.n = AS_WARP;
  std::vector<self> who(threads);
  std::vector<int> done(threads, 0);
  std::unique_ptr<char[]> stacks(new char[stack * threads]);
  f.ctx.resize(threads);
  struct start {
    const std::function<void(unsigned)> *body;
    std::vector<int> *done;
    unsigned tid;
  };
  std::vector<start> starts(threads);
  static void (*trampoline)(unsigned, unsigned) = [](unsigned hi, unsigned lo) {
    start *s = (start *)(((uintptr_t)hi << 32) | lo);
    (*s->body)(s->tid);
    (*s->done)[s->tid] = 1;
  };
  for (unsigned t = 0; t < threads; t++) {
    who[t] = {t % AS_WARP, &warps[t / AS_WARP]};
    starts[t] = {&body, &done, t};
    getcontext(&f.ctx[t]);
    f.ctx[t].uc_stack.ss_sp = stacks.get() + stack * t;
    f.ctx[t].uc_stack.ss_size = stack;
    f.ctx[t].uc_link = &f.scheduler;
    uintptr_t p = (uintptr_t)&starts[t];
    makecontext(&f.ctx[t], (void (*)())trampoline, 2, (unsigned)(p >> 32),
                (unsigned)(p & 0xffffffffu));
  }
  fibers *outer = running;
  running = &f;
  for (unsigned left = threads; left;) {
    left = 0;
    for (unsigned t = 0; t < threads; t++) {
      if (done[t]) continue;
      f.current = t;
      me = who[t];
      swapcontext(&f.scheduler, &f.ctx[t]);
      left += !done[t];
    }
  }
  running = outer;
}

/* Each lane publishes v, all read what they need, and nobody publishes again
 * before everybody has read. */
template <typename F> inline uint64_t exchange(uint64_t v, F read) {
  me.w->slot[me.lane] = v;
  me.w->bar.wait();
  uint64_t r = read(me.w->slot);
  me.w->bar.wait();
  return r;
}

} // namespace as_simt

inline unsigned as_ballot(int pred) {
  return (unsigned)as_simt::exchange((uint64_t)(pred != 0), [](uint64_t *s) {
    uint64_t bits = 0;
    for (unsigned l = 0; l < AS_WARP; l++) bits |= s[l] << l;
    return bits;
  });
}
inline uint32_t as_shfl32(uint32_t v, unsigned src) {
  return (uint32_t)as_simt::exchange(
      v, [&](uint64_t *s) { return s[src % AS_WARP]; });
}
inline uint32_t as_shfl_up32(uint32_t v, unsigned d) {
  unsigned l = as_simt::me.lane;
  return (uint32_t)as_simt::exchange(
      v, [&](uint64_t *s) { return s[l >= d ? l - d : l]; });
}
inline uint64_t as_shfl_down64(uint64_t v, unsigned d) {
  unsigned l = as_simt::me.lane;
  return as_simt::exchange(
      v, [&](uint64_t *s) { return s[l + d < AS_WARP ? l + d : l]; });
}
inline uint32_t as_shfl_down32(uint32_t v, unsigned d) {
  return (uint32_t)as_shfl_down64(v, d);
}
inline uint32_t as_reduce_add32(uint32_t v) {
  return (uint32_t)as_simt::exchange(v, [](uint64_t *s) {
    uint32_t sum = 0;
    for (unsigned l = 0; l < AS_WARP; l++) sum += (uint32_t)s[l];
    return (uint64_t)sum;
  });
}
inline void as_syncwarp(void) { as_simt::me.w->bar.wait(); }
inline unsigned as_popc(uint32_t x) { return (unsigned)__builtin_popcount(x); }
inline unsigned as_popc64(uint64_t x) {
  return (unsigned)__builtin_popcountll(x);
}
/* Fibers switch only at collectives, so a plain read-modify-write is atomic
 * here. */
inline uint64_t as_atomic_cas64(uint64_t *p, uint64_t expect, uint64_t value) {
  uint64_t old = *p;
  if (old == expect) *p = value;
  return old;
}
inline void as_atomic_or64(uint64_t *p, uint64_t bits) { *p |= bits; }

#endif /* AS_SIMT_EMULATE */

#endif
