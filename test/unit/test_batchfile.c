/* Batch files (runtime/batchfile.h): synthetic batches of the two built-in
 * kernels survive a write and a read byte for byte and compute the same
 * outputs; every kind of damage to a file (every truncation, bad fields,
 * sizes that would make the reader allocate far more than the file holds)
 * is AS_EINVAL with a message naming the file, and leaves nothing to free;
 * a write that cannot complete says why, naming the file, and leaves no
 * temporary file behind. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <accelstrat/accelstrat.h>

#include "batchfile.h"
#include "registry.h"
#include "synth.h"
#include "test_util.h"

static char dir[256];

static void path_of(char *buf, size_t len, const char *name) {
  snprintf(buf, len, "%s/%s", dir, name);
}

/* The bytes of a file (*len of them), malloc'd; NULL when it cannot be read. */
static unsigned char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *buf = malloc(size > 0 ? (size_t)size : 1);
  if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *len = (size_t)size;
  return buf;
}

static void spit(const char *path, const unsigned char *buf, size_t len) {
  FILE *f = fopen(path, "wb");
  CHECK_MSG(f && fwrite(buf, 1, len, f) == len && fclose(f) == 0,
            "cannot write %s", path);
}

/* Files in dir other than the ones the test made: temporaries left over. */
static int stray_files(void) {
  DIR *d = opendir(dir);
  int n = 0;
  for (struct dirent *e; d && (e = readdir(d));)
    if (strstr(e->d_name, ".tmp")) {
      fprintf(stderr, "left over: %s\n", e->d_name);
      n++;
    }
  if (d) closedir(d);
  return n;
}

/* Runs b on the CPU (two threads) into its own output buffer. */
static int run_cpu(const as_batch *b) {
  as_config cfg;
  as_config_defaults(&cfg);
  cfg.strategy.kind = AS_STRATEGY_CPU;
  cfg.threads = 2;
  as_executor *ex;
  int rc = as_executor_create(&cfg, &ex);
  if (rc < 0) return rc;
  as_report rep;
  rc = as_run(ex, b, &rep);
  as_executor_destroy(ex);
  return rc;
}

static int same_batch(const as_batch *a, const as_batch *b) {
  if (a->kernel != b->kernel || a->n != b->n || !a->offsets != !b->offsets ||
      a->shared_size != b->shared_size)
    return 0;
  if (a->shared_size && memcmp(a->shared, b->shared, a->shared_size) != 0)
    return 0;
  if (!a->offsets) return 1;
  uint64_t base = a->offsets[0];
  for (size_t i = 0; i <= a->n; i++)
    if (a->offsets[i] - base != b->offsets[i]) return 0;
  size_t bytes = a->offsets[a->n] - base;
  return memcmp((const char *)a->data + base, b->data, bytes) == 0;
}

/* Writes b, reads it back, writes the copy again (the two files must be the
 * same bytes) and runs both: the outputs must be equal. */
static void round_trip(const char *name, const as_batch *b) {
  char path[512], again[600], err[512];
  path_of(path, sizeof path, name);
  snprintf(again, sizeof again, "%s.again", path);
  int rc = as__batch_write(b, path, err, sizeof err);
  CHECK_MSG(rc == 0, "%s: write: %d %s", name, rc, err);
  as_synth s;
  rc = as__batch_read(path, &s, err, sizeof err);
  CHECK_MSG(rc == 0, "%s: read: %d %s", name, rc, err);
  if (rc < 0) return;
  CHECK_MSG(same_batch(b, &s.batch), "%s: batch read differs", name);
  CHECK(s.batch.out && s.out == s.batch.out);
  CHECK_INT_EQ(as__batch_write(&s.batch, again, err, sizeof err), 0);
  size_t la = 0, lb = 0;
  unsigned char *fa = slurp(path, &la), *fb = slurp(again, &lb);
  CHECK_MSG(fa && fb && la == lb && memcmp(fa, fb, la) == 0,
            "%s: rewriting the read batch gives other bytes", name);
  free(fa);
  free(fb);
  unlink(again);
  CHECK_INT_EQ(run_cpu(b), 0);
  CHECK_INT_EQ(run_cpu(&s.batch), 0);
  size_t out_bytes = b->n * b->kernel->out_size;
  CHECK_MSG(memcmp(b->out, s.batch.out, out_bytes) == 0,
            "%s: outputs of the read batch differ", name);
  as__synth_free(&s);
  CHECK(s.words == NULL && s.out == NULL);
}

/* Every built-in kernel, in the registry's order. */
#define KERNELS as__builtin_count()
#define KERNEL(k) (as__builtin_at(k)->kernel)

static void test_round_trips(uint64_t seed) {
  for (size_t k = 0; k < KERNELS; k++) {
    for (size_t n = 0; n <= 40; n += 40) {
      as_synth s;
      as_synth_shape shape = {.n = n, .min_len = 0, .max_len = 300, .every = 8};
      CHECK_INT_EQ(as__synth_make(&s, KERNEL(k), &shape, seed + n), 0);
      char name[64];
      snprintf(name, sizeof name, "%s-%zu.asb", KERNEL(k)->name, n);
      round_trip(name, &s.batch);
      as__synth_free(&s);
    }
  }
  /* A slice whose offsets start above 0 (tasks 3.. of a batch): the file
   * holds only the slice, rebased. */
  as_synth s;
  as_synth_shape shape = {.n = 10, .min_len = 5, .max_len = 50, .every = 4};
  CHECK_INT_EQ(as__synth_make(&s, &as_kernel_align, &shape, seed), 0);
  as_batch slice = s.batch;
  slice.n -= 3;
  slice.offsets += 3;
  slice.out = (char *)s.out + 3 * sizeof(as_align_out);
  round_trip("align-slice.asb", &slice);
  char path[512], err[512];
  path_of(path, sizeof path, "align-slice.asb");
  as_synth r;
  CHECK_INT_EQ(as__batch_read(path, &r, err, sizeof err), 0);
  CHECK_EQ(r.batch.offsets[0], 0);
  CHECK_EQ(r.batch.offsets[r.batch.n], s.offsets[10] - s.offsets[3]);
  as__synth_free(&r);
  as__synth_free(&s);
  CHECK_INT_EQ(stray_files(), 0);
}

/* Little-endian fields of a file in memory. */
static void set_u32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static void set_u64(unsigned char *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static uint64_t get_u64(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

/* Where the fields are in a file whose kernel name has name_len bytes. */
typedef struct layout {
  size_t name, version, n, data_bytes, shared_bytes, flag, offsets;
} layout;

static layout layout_of(size_t name_len) {
  layout l;
  l.name = 12;
  l.version = l.name + name_len;
  l.n = l.version + 4;
  l.data_bytes = l.n + 8;
  l.shared_bytes = l.data_bytes + 8;
  l.flag = l.shared_bytes + 8;
  l.offsets = l.flag + 1;
  return l;
}

/* The damaged bytes must be refused as malformed, naming the file. */
static void expect_malformed(const char *what, const unsigned char *buf,
                             size_t len) {
  char path[512], err[512] = "";
  path_of(path, sizeof path, "damaged.asb");
  spit(path, buf, len);
  as_synth s;
  memset(&s, 0x5a, sizeof s);
  int rc = as__batch_read(path, &s, err, sizeof err);
  CHECK_MSG(rc == AS_EINVAL, "%s: read gave %d (%s), expected AS_EINVAL", what,
            rc, err);
  CHECK_MSG(strstr(err, path) != NULL,
            "%s: message '%s' does not name the file", what, err);
  CHECK_MSG(!s.words && !s.offsets && !s.shared && !s.out && !s.batch.kernel,
            "%s: a failed read left buffers in the synth", what);
}

/* Small files of each kernel: every truncation, and trailing bytes. 0, or
 * -1 when a file could not be read back. */
static int damage_truncations(uint64_t seed) {
  char path[512], err[512];
  for (size_t k = 0; k < KERNELS; k++) {
    as_synth s;
    as_synth_shape shape = {.n = 3, .min_len = 1, .max_len = 6, .every = 3};
    CHECK_INT_EQ(as__synth_make(&s, KERNEL(k), &shape, seed), 0);
    path_of(path, sizeof path, "small.asb");
    CHECK_INT_EQ(as__batch_write(&s.batch, path, err, sizeof err), 0);
    as__synth_free(&s);
    size_t len;
    unsigned char *good = slurp(path, &len);
    CHECK(good != NULL);
    if (!good) return -1;
    for (size_t cut = 0; cut < len; cut++) {
      char what[64];
      snprintf(what, sizeof what, "%s cut at %zu of %zu", KERNEL(k)->name, cut,
               len);
      expect_malformed(what, good, cut);
    }
    /* Trailing garbage, one byte or many. */
    unsigned char *longer = malloc(len + 100);
    memcpy(longer, good, len);
    memset(longer + len, 0, 100);
    expect_malformed("one trailing byte", longer, len + 1);
    expect_malformed("trailing garbage", longer, len + 100);
    free(longer);
    free(good);
  }
  return 0;
}

/* An align batch of 3 tasks, field by field. 0, or -1 when the file could
 * not be read back. */
static int damage_fields(uint64_t seed) {
  char path[512], err[512];
  as_synth s;
  as_synth_shape shape = {.n = 3, .min_len = 2, .max_len = 6, .every = 3};
  CHECK_INT_EQ(as__synth_make(&s, &as_kernel_align, &shape, seed), 0);
  path_of(path, sizeof path, "align3.asb");
  CHECK_INT_EQ(as__batch_write(&s.batch, path, err, sizeof err), 0);
  as__synth_free(&s);
  size_t len;
  unsigned char *good = slurp(path, &len), *bad = malloc(len);
  if (!good || !bad) {
    TEST_FAIL("cannot read %s back", path);
    free(good);
    free(bad);
    return -1;
  }
  const layout l = layout_of(strlen("align"));
  const size_t data = l.offsets + 4 * 8;
#define DAMAGE(what, edit)                                                     \
  do {                                                                         \
    memcpy(bad, good, len);                                                    \
    edit;                                                                      \
    expect_malformed(what, bad, len);                                          \
  } while (0)
  DAMAGE("bad magic", bad[0] = 'X');
  DAMAGE("format version 2", bad[7] = '2');
  DAMAGE("unknown kernel", memcpy(bad + l.name, "alien", 5));
  DAMAGE("unprintable kernel name", memcpy(bad + l.name,
                                           "al\n\xff"
                                           "n",
                                           5));
  DAMAGE("another kernel's name", memcpy(bad + l.name, "filte", 5));
  DAMAGE("name length 0", set_u32(bad + 8, 0));
  DAMAGE("name length 4 GiB", set_u32(bad + 8, 0xffffffffu));
  DAMAGE("name length past the file", set_u32(bad + 8, 60));
  DAMAGE("wrong version",
         set_u32(bad + l.version, as_kernel_align.version + 1));
  DAMAGE("huge n", set_u64(bad + l.n, UINT64_MAX));
  DAMAGE("n 2^60", set_u64(bad + l.n, 1ull << 60));
  DAMAGE("n one too many", set_u64(bad + l.n, 4));
  DAMAGE("n one too few", set_u64(bad + l.n, 2));
  DAMAGE("huge data size", set_u64(bad + l.data_bytes, UINT64_MAX));
  DAMAGE("data size one more",
         set_u64(bad + l.data_bytes, get_u64(good + l.data_bytes) + 1));
  DAMAGE("data size one less",
         set_u64(bad + l.data_bytes, get_u64(good + l.data_bytes) - 1));
  DAMAGE("huge shared size", set_u64(bad + l.shared_bytes, 1ull << 62));
  DAMAGE("offsets flag 2", bad[l.flag] = 2);
  DAMAGE("no offsets flag", bad[l.flag] = 0);
  DAMAGE("offsets[0] not 0", set_u64(bad + l.offsets, 4));
  DAMAGE("offsets decrease",
         (set_u64(bad + l.offsets + 8, get_u64(good + l.offsets + 16)),
          set_u64(bad + l.offsets + 16, get_u64(good + l.offsets + 8))));
  DAMAGE("offsets[n] not the data size",
         set_u64(bad + l.offsets + 24, get_u64(good + l.offsets + 24) - 4));
  DAMAGE("offsets beyond the data",
         set_u64(bad + l.offsets + 16, get_u64(good + l.offsets + 24) + 8));
  /* Each field right, the first task's header wrong: the kernel's check. */
  DAMAGE("align task lengths", bad[data] ^= 1);
#undef DAMAGE
  free(good);
  free(bad);
  return 0;
}

static void test_damage(uint64_t seed) {
  if (damage_truncations(seed) < 0 || damage_fields(seed) < 0) return;
  /* Not a file at all, and a missing one (an I/O error, not a malformed file).
   */
  char path[512], err[512];
  as_synth r;
  CHECK_INT_EQ(as__batch_read(dir, &r, err, sizeof err), AS_EINVAL);
  CHECK(strstr(err, dir) != NULL);
  path_of(path, sizeof path, "missing.asb");
  CHECK_INT_EQ(as__batch_read(path, &r, err, sizeof err), AS_EIO);
  CHECK_MSG(strstr(err, path) && strstr(err, "No such file"), "message '%s'",
            err);
  /* A FIFO (in a --replay directory, say) is refused at once: opening it
   * for reading would wait for a writer forever. */
  path_of(path, sizeof path, "fifo.asb");
  CHECK(mkfifo(path, 0600) == 0);
  alarm(10); /* a hang fails the test */
  CHECK_INT_EQ(as__batch_read(path, &r, err, sizeof err), AS_EINVAL);
  alarm(0);
  CHECK_MSG(strstr(err, "not a regular file"), "message '%s'", err);
  unlink(path);
  CHECK_INT_EQ(stray_files(), 0);
}

/* A filter batch: n beyond what its offsets hold, a batch without offsets,
 * and a shared block its kernel's checks refuse (the reserved field, a
 * threshold above 1), each refused before outputs are allocated. */
static void test_filter_damage(uint64_t seed) {
  char path[512], err[512];
  as_synth s;
  CHECK_INT_EQ(as__synth_make(
                   &s, &as_kernel_filter,
                   &(as_synth_shape){.n = 2, .min_len = 1, .max_len = 4}, seed),
               0);
  path_of(path, sizeof path, "filter2.asb");
  CHECK_INT_EQ(as__batch_write(&s.batch, path, err, sizeof err), 0);
  const layout l = layout_of(strlen("filter"));
  const size_t shared =
      l.offsets + 3 * 8 + (size_t)(s.batch.offsets[2] - s.batch.offsets[0]);
  as__synth_free(&s);
  size_t len;
  unsigned char *good = slurp(path, &len), *bad = good ? malloc(len) : NULL;
  if (!good || !bad) {
    TEST_FAIL("cannot read %s back", path);
    free(good);
    free(bad);
    return;
  }
  memcpy(bad, good, len);
  set_u64(bad + l.n, 1ull << 40);
  expect_malformed("filter n 2^40", bad, len);
  memcpy(bad, good, len);
  bad[l.flag] = 0;
  set_u64(bad + l.data_bytes, 0);
  memmove(bad + l.offsets, bad + shared, len - shared);
  expect_malformed("filter without offsets", bad, len - (shared - l.offsets));
  memcpy(bad, good, len);
  set_u32(bad + shared + 20, 1); /* as_filter_shared.reserved */
  expect_malformed("filter reserved field", bad, len);
  memcpy(bad, good, len);
  double above = 1.5;
  memcpy(bad + shared + 24, &above, sizeof above); /* min_similarity */
  expect_malformed("filter threshold 1.5", bad, len);
  free(bad);
  free(good);
}

/* What a file costs in memory: for each built-in kernel, the densest
 * batch (one smallest task repeated) reads back within the bound the
 * reader promises, inputs at most the file and outputs at most
 * AS_BATCH_OUT_PER_BYTE times it; and the bound refuses a kernel whose
 * outputs would exceed it (a 512-byte output a task, as the old
 * fingerprint kernel had, on tasks of 8 bytes). */
static void test_memory_bound(uint64_t seed) {
  enum { COPIES = 4096 };
  for (size_t k = 0; k < KERNELS; k++) {
    as_synth one;
    as_synth_shape shape = {.n = 1, .min_len = 1, .max_len = 1};
    if (as__synth_make(&one, KERNEL(k), &shape, seed) != 0) {
      TEST_FAIL("%s: cannot make a one-task batch", KERNEL(k)->name);
      continue;
    }
    const size_t task = (size_t)(one.offsets[1] - one.offsets[0]);
    unsigned char *data = malloc(COPIES * task + 1);
    uint64_t *offsets = malloc((COPIES + 1) * sizeof *offsets);
    void *out = calloc(COPIES, KERNEL(k)->out_size);
    if (!data || !offsets || !out) {
      TEST_FAIL("out of memory");
      free(data), free(offsets), free(out), as__synth_free(&one);
      continue;
    }
    for (size_t i = 0; i < COPIES; i++) {
      memcpy(data + i * task, (const char *)one.batch.data + one.offsets[0],
             task);
      offsets[i] = i * task;
    }
    offsets[COPIES] = COPIES * task;
    as_batch dense = one.batch;
    dense.n = COPIES, dense.data = data, dense.offsets = offsets;
    dense.out = out;
    char path[512], err[512], name[64];
    snprintf(name, sizeof name, "%s-dense.asb", KERNEL(k)->name);
    path_of(path, sizeof path, name);
    CHECK_INT_EQ(as__batch_write(&dense, path, err, sizeof err), 0);
    struct stat st;
    as_synth r;
    CHECK_INT_EQ(stat(path, &st), 0);
    int rc = as__batch_read(path, &r, err, sizeof err);
    CHECK_MSG(rc == 0, "%s: %s", name, err);
    if (rc == 0) {
      const uint64_t in = (r.batch.n + 1) * 8 + r.batch.offsets[r.batch.n] +
                          r.batch.shared_size,
                     outs = r.batch.n * r.batch.kernel->out_size;
      CHECK_MSG(in <= (uint64_t)st.st_size &&
                    outs <= AS_BATCH_OUT_PER_BYTE * (uint64_t)st.st_size,
                "%s: %llu input and %llu output bytes from a file of %llu",
                name, (unsigned long long)in, (unsigned long long)outs,
                (unsigned long long)st.st_size);
      CHECK_INT_EQ(run_cpu(&r.batch), 0);
      as__synth_free(&r);
    }
    unlink(path);
    free(data), free(offsets), free(out), as__synth_free(&one);
  }
  const as_kernel wide = {.name = "wide", .version = 1, .out_size = 512};
  const uint64_t file = 8u << 20;
  CHECK_INT_EQ(as__batch_out_bound(&wide, file / 8, file), AS_EINVAL);
  CHECK_INT_EQ(as__batch_out_bound(&wide, file / 128, file), 0);
  CHECK_INT_EQ(as__batch_out_bound(&wide, file / 128 + 1, file), AS_EINVAL);
  CHECK_INT_EQ(as__batch_out_bound(&wide, UINT64_MAX, UINT64_MAX), AS_EINVAL);
  CHECK_INT_EQ(as__batch_out_bound(&as_kernel_filter, file / 16, file), 0);
}

static void test_write_failures(uint64_t seed) {
  as_synth s;
  as_synth_shape shape = {.n = 200, .min_len = 100, .max_len = 200, .every = 5};
  CHECK_INT_EQ(as__synth_make(&s, &as_kernel_align, &shape, seed), 0);
  char path[512], err[512];

  /* A directory that does not exist, and a file where a directory should be. */
  path_of(path, sizeof path, "no-such-dir/x.asb");
  CHECK_INT_EQ(as__batch_write(&s.batch, path, err, sizeof err), AS_EIO);
  CHECK_MSG(strstr(err, path) && strstr(err, "No such file"), "message '%s'",
            err);
  char file[400];
  path_of(file, sizeof file, "plain-file");
  spit(file, (const unsigned char *)"x", 1);
  snprintf(path, sizeof path, "%s/x.asb", file);
  CHECK_INT_EQ(as__batch_write(&s.batch, path, err, sizeof err), AS_EIO);
  CHECK_MSG(strstr(err, path) && strstr(err, "Not a directory"), "message '%s'",
            err);
  unlink(file);

  /* The target is a directory: the rename fails after the data was written,
   * and the temporary file goes. */
  path_of(path, sizeof path, "a-dir.asb");
  mkdir(path, 0777);
  CHECK_INT_EQ(as__batch_write(&s.batch, path, err, sizeof err), AS_EIO);
  CHECK_MSG(strstr(err, path) && strstr(err, "Is a directory"), "message '%s'",
            err);
  rmdir(path);
  CHECK_INT_EQ(stray_files(), 0);

  /* A write that runs out of room (a file size limit stands in for a full
   * disk: the same short write): in a child, so the limit stays there. */
  path_of(path, sizeof path, "too-big.asb");
  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = {4096, 4096};
    setrlimit(RLIMIT_FSIZE, &lim);
    int rc = as__batch_write(&s.batch, path, err, sizeof err);
    int named = strstr(err, path) && strstr(err, "File too large");
    if (!named) fprintf(stderr, "message '%s'\n", err);
    _exit(rc == AS_EIO && named ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
            "an oversized write was not reported with the file and the reason");
  CHECK_MSG(access(path, F_OK) != 0, "a failed write left %s", path);
  CHECK_INT_EQ(stray_files(), 0);

  /* A kernel that is not a built-in one: nothing could read it back. */
  as_kernel copy = as_kernel_align;
  as_batch other = s.batch;
  other.kernel = &copy;
  path_of(path, sizeof path, "foreign.asb");
  CHECK_INT_EQ(as__batch_write(&other, path, err, sizeof err), AS_EINVAL);
  CHECK_MSG(strstr(err, path) != NULL, "message '%s'", err);
  CHECK_MSG(access(path, F_OK) != 0, "a refused batch was written");
  /* Nor a batch its kernel would refuse. */
  uint64_t saved = s.offsets[1];
  s.offsets[1] = s.offsets[2] + 4;
  CHECK_INT_EQ(as__batch_write(&s.batch, path, err, sizeof err), AS_EINVAL);
  s.offsets[1] = saved;
  CHECK_INT_EQ(stray_files(), 0);
  as__synth_free(&s);
}

static void remove_dir(void) {
  DIR *d = opendir(dir);
  char path[512];
  for (struct dirent *e; d && (e = readdir(d));) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    path_of(path, sizeof path, e->d_name);
    unlink(path);
  }
  if (d) closedir(d);
  rmdir(dir);
}

int main(void) {
  uint64_t seed = test_seed();
  const char *tmp = getenv("TMPDIR");
  snprintf(dir, sizeof dir, "%s/test_batchfile.XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  test_round_trips(seed);
  test_damage(seed);
  test_filter_damage(seed);
  test_memory_bound(seed);
  test_write_failures(seed);
  remove_dir();
  return test_finish("test_batchfile");
}
