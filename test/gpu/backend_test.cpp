/* backend.cu itself (its table, checks, staging, two streams, launches,
 * error classification) on the host: linked with fake_cudart.cpp instead of
 * the CUDA runtime, so the kernels run under the SIMT emulation. Outputs are
 * compared byte for byte with the CPU kernels on random inputs (seed printed;
 * ACCELSTRAT_TEST_SEED=N replays it); out of memory and a sticky driver error
 * are provoked through the fake. What this cannot show (real transfers and
 * timing, real memory limits) accelstrat-gpu-check shows on a GPU. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vector>

#include <accelstrat/error.h>
#include <accelstrat/kernels.h>

#include <accelstrat/backend.h>
#include "fake_cudart.h"
#include "test_util.h"
extern "C" {
#include "registry.h"
#include "synth.h"
}

extern "C" const as_gpu_backend *as_gpu_backend_cuda(void);

static const as_gpu_backend *be;

static test_rng rng;
static uint64_t rnd(void) { return test_next(&rng); }
static uint32_t below(uint32_t n) { return test_below(&rng, n); }
static uint32_t token(uint32_t alphabet) {
  return alphabet ? below(alphabet) * 0x9e3779b1u : (uint32_t)rnd();
}

struct ragged {
  std::vector<uint32_t> words;
  std::vector<uint64_t> offsets{0};
  void end_task() { offsets.push_back(words.size() * sizeof(uint32_t)); }
  size_t n() const { return offsets.size() - 1; }
  void pair(uint32_t la, uint32_t lb, uint32_t alphabet) {
    words.push_back(la);
    words.push_back(lb);
    size_t a = words.size();
    for (uint32_t i = 0; i < la; i++) words.push_back(token(alphabet));
    for (uint32_t i = 0; i < lb; i++) /* b mostly a, so long LCSs */
      words.push_back(i < la && below(8) ? words[a + i] : token(alphabet));
    end_task();
  }
  as_batch batch(const as_kernel *k) const {
    as_batch b = {k, n(), words.data(), offsets.data(), NULL, 0, NULL};
    return b;
  }
};

/* CPU function and run_chunk on [begin, end): same code, same bytes (also
 * outside the range, which both must leave alone). */
static void same_as_cpu(const char *what, const as_batch &b, size_t begin,
                        size_t end, int expect_rc = 0) {
  size_t bytes = b.n * b.kernel->out_size;
  std::vector<unsigned char> cpu(bytes + 1, 0x5a), dev(bytes + 1, 0x5a);
  as_batch bc = b, bd = b;
  bc.out = cpu.data();
  bd.out = dev.data();
  char detail[160] = "";
  int rc_cpu = b.kernel->cpu(&bc, begin, end);
  int rc_dev = be->run_chunk(&bd, begin, end, detail, sizeof detail);
  CHECK_MSG(rc_cpu == expect_rc && rc_dev == expect_rc,
            "%s: cpu %s, gpu %s (%s)", what, as_err_name(rc_cpu),
            as_err_name(rc_dev), detail);
  if (expect_rc == 0 && rc_dev == 0)
    CHECK_MSG(cpu == dev, "%s: outputs differ", what);
}

static void test_unavailable(void) {
  fake_cuda_set_driver(0);
  as_gpu_info info;
  char detail[200] = "";
  CHECK_MSG(be->init(&info, detail, sizeof detail) == AS_EGPU_UNAVAILABLE,
            "init without a driver");
  CHECK_MSG(strstr(detail, "no CUDA driver") &&
                strstr(detail, "cudaErrorInsufficientDriver"),
            "detail: %s", detail);
  fake_cuda_set_driver(1);
}

static void test_init(void) {
  as_gpu_info info;
  char detail[200] = "";
  CHECK_MSG(be->abi == AS_GPU_BACKEND_ABI && !strcmp(be->name, "cuda"),
            "table");
  CHECK_MSG(be->init(&info, detail, sizeof detail) == 0, "init: %s", detail);
  CHECK_MSG(strstr(info.name, "fake") && !strcmp(info.driver, "13.0") &&
                info.devices == 1 && info.total_mem == ((size_t)1 << 30) &&
                !info.is_simulated,
            "info: %s %s %d %zu", info.name, info.driver, info.devices,
            info.total_mem);
  CHECK_MSG(be->init(&info, detail, sizeof detail) == 0, "second init");
  /* Its table holds exactly the built-in kernels the registry gives a GPU
   * version. */
  for (size_t i = 0; i < as__builtin_count(); i++) {
    const as_builtin *e = as__builtin_at(i);
    CHECK_MSG(!be->has_kernel(e->kernel) == !e->gpu,
              "%s: has_kernel %d, registry %d", e->kernel->name,
              be->has_kernel(e->kernel), e->gpu);
  }
  CHECK_MSG(be->has_kernel(&as_kernel_filter) &&
                be->has_kernel(&as_kernel_align),
            "built-in kernels");
  as_kernel other = as_kernel_align;
  other.version = 2;
  CHECK_MSG(!be->has_kernel(&other), "align version 2");
  other = as_kernel_align;
  other.name = "mine";
  CHECK_MSG(!be->has_kernel(&other) && !be->has_kernel(NULL), "a user kernel");
}

/* Filter searches over families of near-duplicates with more than one block
 * of partners per query, whole and in chunks; the shared block goes to the
 * device once for the chunks of a batch, and again when it changes. */
static void test_filter(void) {
  as_synth_shape shape = {1500, 1, 150, 2 + below(50), 2 + below(15), 0.75};
  as_synth syn;
  CHECK_MSG(as__synth_make(&syn, &as_kernel_filter, &shape, rnd()) == 0,
            "filter synth failed");
  const as_batch &b = syn.batch;
  CHECK_MSG(((const as_filter_task *)b.data)[b.n - 1].block > 0,
            "one block of partners only");
  same_as_cpu("filter", b, 0, b.n);
  same_as_cpu("filter one task", b, 700, 701);
  size_t before = fake_cuda_to_device();
  same_as_cpu("filter [3, n-2)", b, 3, b.n - 2);
  size_t copied = fake_cuda_to_device() - before;
  CHECK_MSG(copied < b.shared_size,
            "the kept shared block was copied again (%zu bytes of %zu)", copied,
            b.shared_size);
  /* The same block in place, with another threshold: copied again. The
   * prefixes of 0.75 are longer than those of 0.9 need, so nothing is lost;
   * what the CPU computes is what the device must. */
  ((as_filter_shared *)syn.shared)->min_similarity = 0.9;
  before = fake_cuda_to_device();
  same_as_cpu("filter, block changed in place", b, 0, b.n);
  CHECK_MSG(fake_cuda_to_device() - before >= b.shared_size,
            "a changed shared block was not copied");
  /* Another kernel's chunk overwrites where the block was kept. */
  ragged r;
  for (int i = 0; i < 8; i++) r.pair(200, 210, 40);
  as_batch al = r.batch(&as_kernel_align);
  same_as_cpu("align between filter chunks", al, 0, al.n);
  same_as_cpu("filter after align", b, 10, b.n);

  ((as_filter_shared *)syn.shared)->reserved = 1;
  same_as_cpu("filter, damaged block", b, 0, b.n, AS_EINVAL);
  ((as_filter_shared *)syn.shared)->reserved = 0;
  ((as_filter_task *)syn.words)[5].query = 1u << 30;
  same_as_cpu("filter, query outside the block", b, 0, b.n, AS_EINVAL);
  as__synth_free(&syn);
}

static void test_align(void) {
  ragged r;
  static const uint32_t shapes[][2] = {{0, 0},       {0, 5},     {1, 1},
                                       {63, 64},     {65, 64},   {1024, 1100},
                                       {1300, 1030}, {300, 2000}};
  for (auto &s : shapes) r.pair(s[0], s[1], below(2) ? 4 : 500);
  /* The warp kernel's two paths for certain: rows in shared memory (a small
   * alphabet, V over many lanes), and the fallback (more distinct tokens
   * than the rows take). */
  r.pair(2100, 2200, 6);
  r.pair(300, 320, 0);
  for (int i = 0; i < 30; i++) r.pair(below(150), below(150), 1 + below(30));
  as_batch b = r.batch(&as_kernel_align);
  same_as_cpu("align", b, 0, b.n);
  same_as_cpu("align [4, n-3)", b, 4, b.n - 3);
  ragged bad;
  bad.pair(3, 3, 0);
  bad.offsets[1] += 4;
  bad.words.push_back(0);
  b = bad.batch(&as_kernel_align);
  same_as_cpu("align, size mismatch", b, 0, 1, AS_EINVAL);
}

static void test_ranges(void) {
  ragged r;
  r.pair(10, 12, 0);
  as_batch b = r.batch(&as_kernel_align);
  std::vector<unsigned char> out(sizeof(as_align_out));
  b.out = out.data();
  unsigned long before = fake_cuda_launches();
  CHECK_MSG(be->run_chunk(&b, 1, 1, NULL, 0) == 0 &&
                fake_cuda_launches() == before,
            "an empty chunk launches nothing");
  CHECK_MSG(be->run_chunk(&b, 1, 0, NULL, 0) == AS_EINVAL, "begin > end");
  CHECK_MSG(be->run_chunk(&b, 0, 2, NULL, 0) == AS_EINVAL, "end > n");
  as_kernel mine = as_kernel_align;
  mine.name = "mine";
  b.kernel = &mine;
  CHECK_MSG(be->run_chunk(&b, 0, 1, NULL, 0) == AS_ENOSYS, "a kernel it lacks");
}

static void test_oom(void) {
  ragged r; /* 160 KiB of input: pairs of 1,500 and 500 tokens */
  for (int i = 0; i < 20; i++) r.pair(1500, 500, 0);
  as_batch b = r.batch(&as_kernel_align);
  std::vector<unsigned char> out(b.n * sizeof(as_align_out), 0x5a),
      untouched = out;
  b.out = out.data();
  /* From no kept buffers: those of earlier tests may hold this chunk. */
  be->shutdown();
  char detail[200] = "";
  CHECK_MSG(be->init(NULL, detail, sizeof detail) == 0, "re-init: %s", detail);
  fake_cuda_set_memory(64 << 10);
  CHECK_MSG(be->run_chunk(&b, 0, b.n, detail, sizeof detail) == AS_EGPU_OOM,
            "oom");
  CHECK_MSG(strstr(detail, "cudaErrorMemoryAllocation") != NULL,
            "oom detail: %s", detail);
  CHECK_MSG(out == untouched, "oom wrote outputs");
  CHECK_MSG(fake_cuda_in_use() == 0, "oom left %zu bytes allocated",
            fake_cuda_in_use());
  size_t free_b = 0, total_b = 0;
  CHECK_MSG(be->mem_info(&free_b, &total_b) == 0 && free_b == (64 << 10),
            "mem_info after oom");
  same_as_cpu("align, a chunk that fits after the oom", b, 0, 2);
  fake_cuda_set_memory((size_t)1 << 30);
  same_as_cpu("align after the oom", b, 0, b.n);
  /* Kept buffers count as free: the next chunk may use them. */
  CHECK_MSG(be->mem_info(&free_b, &total_b) == 0 && free_b == total_b,
            "mem_info with kept buffers: %zu of %zu", free_b, total_b);
}

static void test_driver_error(void) {
  ragged r;
  for (int i = 0; i < 4; i++) r.pair(50, 60, 10);
  as_batch b = r.batch(&as_kernel_align);
  std::vector<unsigned char> out(b.n * sizeof(as_align_out), 0x5a),
      untouched = out;
  b.out = out.data();
  fake_cuda_fail_next_sync(cudaErrorIllegalAddress);
  char detail[200] = "";
  CHECK_MSG(be->run_chunk(&b, 0, b.n, detail, sizeof detail) == AS_EGPU_DRIVER,
            "sticky error");
  CHECK_MSG(strstr(detail, "cudaErrorIllegalAddress") != NULL, "detail: %s",
            detail);
  CHECK_MSG(out == untouched, "a failed chunk wrote outputs");
  CHECK_MSG(be->run_chunk(&b, 0, b.n, detail, sizeof detail) ==
                    AS_EGPU_DRIVER &&
                strstr(detail, "unusable"),
            "after a driver error: %s", detail);
  size_t free_b, total_b;
  CHECK_MSG(be->mem_info(&free_b, &total_b) == AS_EGPU_DRIVER,
            "mem_info after it");
}

int main(void) {
  rng.state = test_seed();
  be = as_gpu_backend_cuda();
  struct {
    const char *name;
    void (*fn)(void);
  } tests[] = {
      {"unavailable", test_unavailable},
      {"init", test_init},
      {"filter", test_filter},
      {"align", test_align},
      {"ranges", test_ranges},
      {"oom", test_oom},
      {"driver_error", test_driver_error},
  };
  for (auto &t : tests) {
    int before = test_failures;
    t.fn();
    printf("%s %s\n", test_failures == before ? "ok  " : "FAIL", t.name);
  }
  be->shutdown();
  return test_failures ? 1 : 0;
}
