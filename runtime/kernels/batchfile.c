/* Batch files (format in batchfile.h). The writer encodes every integer
 * little-endian whatever the host; the data and shared blocks are written as
 * the kernels read them (tokens and signatures in host order: the format is
 * for the little-endian hosts the kernels run on; a filter block's threshold
 * is an IEEE double in host order too). The reader trusts nothing
 * before it is checked: every size is bounded by the file's actual size
 * before anything is allocated (the outputs too, at AS_BATCH_OUT_PER_BYTE
 * times the file), and the kernel's own input checks (its
 * registry entry's, what the kernel runs before computing) decide the
 * rest. Buffers come from malloc, as synth.c's, so that as__synth_free
 * frees either. */
#include "batchfile.h"
#include "support/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <accelstrat/error.h>

#include "registry.h"

static const char magic[8] = {'A', 'S', 'B', 'A', 'T', 'C', 'H', '1'};

/* Longest kernel name a file may carry (the built-in ones are shorter). */
enum { NAME_MAX_LEN = 64 };

/* magic, name length, version, n, data bytes, shared bytes, has_offsets */
enum { FIXED_HEADER = 8 + 4 + 4 + 8 + 8 + 8 + 1 };

/* The checks both sides make: a built-in kernel, offsets (every task of
 * both has input, and they bound n by the file), and the kernel's own input
 * checks. NULL, or what is wrong. */
static const char *check_batch(const as_batch *b) {
  const as_builtin *e = as__builtin_of(b->kernel);
  if (!e) return "not a batch of a built-in kernel";
  if (!b->offsets) return "a batch without offsets";
  if (b->n && !b->data && b->offsets[b->n] != b->offsets[0])
    return "offsets without data";
  if (b->shared_size && !b->shared)
    return "a shared size without a shared block";
  if (e->check(b, 0, b->n) < 0)
    return "its tasks fail the kernel's own input checks";
  return NULL;
}

/* ---- writing ---- */

static void put_u32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* The offsets rebased to 0, little-endian, a block at a time. */
static int write_offsets(FILE *f, const uint64_t *offsets, size_t n) {
  enum { BLOCK = 512 };
  unsigned char buf[BLOCK * 8];
  for (size_t i = 0; i <= n;) {
    size_t m = n + 1 - i < BLOCK ? n + 1 - i : BLOCK;
    for (size_t j = 0; j < m; j++)
      put_u64(buf + 8 * j, offsets[i + j] - offsets[0]);
    if (fwrite(buf, 8, m, f) != m) return -1;
    i += m;
  }
  return 0;
}

static int write_all(FILE *f, const as_batch *b, uint64_t data_bytes) {
  const char *name = b->kernel->name;
  size_t len = strlen(name);
  unsigned char hdr[FIXED_HEADER + NAME_MAX_LEN], *p = hdr;
  memcpy(p, magic, 8), p += 8;
  put_u32(p, (uint32_t)len), p += 4;
  memcpy(p, name, len), p += len;
  put_u32(p, b->kernel->version), p += 4;
  put_u64(p, b->n), p += 8;
  put_u64(p, data_bytes), p += 8;
  put_u64(p, b->shared_size), p += 8;
  *p++ = b->offsets != NULL;
  if (fwrite(hdr, 1, (size_t)(p - hdr), f) != (size_t)(p - hdr)) return -1;
  if (b->offsets && write_offsets(f, b->offsets, b->n) < 0) return -1;
  if (data_bytes && fwrite((const char *)b->data + b->offsets[0], 1, data_bytes,
                           f) != data_bytes)
    return -1;
  if (b->shared_size &&
      fwrite(b->shared, 1, b->shared_size, f) != b->shared_size)
    return -1;
  return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

int as__batch_write(const as_batch *b, const char *path, char *err,
                    size_t len) {
  const char *bad = b && b->kernel ? check_batch(b) : "no batch";
  if (bad) {
    snprintf(err, len, "%s: cannot write batch: %s", path, bad);
    return AS_EINVAL;
  }
  uint64_t data_bytes = b->offsets ? b->offsets[b->n] - b->offsets[0] : 0;
  char tmp[4096 + 256];
  /* A leading dot: a listing of batches (accelstrat-bench --replay)
   * skips it. */
  int fd = as__open_temp(path, tmp, sizeof tmp);
  if (fd < 0) {
    snprintf(err, len, "%s: cannot create a temporary file next to it: %s",
             path, strerror(errno));
    return AS_EIO;
  }
  FILE *f = fdopen(fd, "wb");
  if (!f) {
    int saved = errno;
    close(fd);
    unlink(tmp);
    snprintf(err, len, "%s: %s", path, strerror(saved));
    return AS_EIO;
  }
  /* errno after a failed fwrite or fflush says why (ENOSPC, EIO, EFBIG);
   * fclose may report what a buffered write met only then. */
  errno = 0;
  int rc = write_all(f, b, data_bytes);
  int saved = errno;
  if (fclose(f) != 0 && rc == 0) {
    rc = -1;
    saved = errno;
  }
  if (rc == 0 && rename(tmp, path) != 0) {
    rc = -1;
    saved = errno;
  }
  if (rc < 0) {
    unlink(tmp);
    snprintf(err, len, "%s: cannot write batch: %s", path,
             strerror(saved ? saved : EIO));
    return AS_EIO;
  }
  return 0;
}

/* ---- reading ---- */

typedef struct reader {
  FILE *f;
  const char *path;
  uint64_t size; /* the file's */
  uint64_t left; /* bytes of the file not read yet */
  char *err;
  size_t len;
} reader;

__attribute__((format(printf, 3, 4))) static int fail(reader *r, int rc,
                                                      const char *fmt, ...) {
  char why[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  snprintf(r->err, r->len, "%s: %s", r->path, why);
  return rc;
}

/* Reads exactly n bytes; a file shorter than its header says is malformed,
 * a failed read an I/O error. */
static int take(reader *r, void *dst, uint64_t n, const char *what) {
  if (n > r->left) return fail(r, AS_EINVAL, "truncated: %s missing", what);
  errno = 0;
  if (n && fread(dst, 1, (size_t)n, r->f) != n) {
    if (ferror(r->f))
      return fail(r, AS_EIO, "%s", strerror(errno ? errno : EIO));
    return fail(r, AS_EINVAL, "truncated: %s missing", what);
  }
  r->left -= n;
  return 0;
}

static uint32_t get_u32(const unsigned char *p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

static uint64_t get_u64(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

static int take_u32(reader *r, uint32_t *v, const char *what) {
  unsigned char b[4] = {0};
  int rc = take(r, b, 4, what);
  *v = get_u32(b);
  return rc;
}

static int take_u64(reader *r, uint64_t *v, const char *what) {
  unsigned char b[8] = {0};
  int rc = take(r, b, 8, what);
  *v = get_u64(b);
  return rc;
}

/* The kernel named in the file: printable characters of the name only, so
 * that a corrupt name cannot garble the message. */
static int take_kernel(reader *r, const as_kernel **k) {
  uint32_t name_len;
  char name[NAME_MAX_LEN + 1];
  int rc = take_u32(r, &name_len, "kernel name length");
  if (rc < 0) return rc;
  if (name_len == 0 || name_len > NAME_MAX_LEN)
    return fail(r, AS_EINVAL, "kernel name length %u out of range 1..%d",
                name_len, NAME_MAX_LEN);
  if ((rc = take(r, name, name_len, "kernel name")) < 0) return rc;
  name[name_len] = '\0';
  const as_builtin *e = as__builtin_named(name, name_len);
  if (!e) {
    for (uint32_t i = 0; i < name_len; i++)
      if (name[i] < 0x20 || name[i] > 0x7e) name[i] = '?';
    return fail(r, AS_EINVAL, "unknown kernel '%s'", name);
  }
  *k = e->kernel;
  return 0;
}

/* Offsets start at 0, never decrease and end at the data's size. */
static int take_offsets(reader *r, as_synth *s, uint64_t n,
                        uint64_t data_bytes) {
  if (!(s->offsets = malloc((size_t)(n + 1) * sizeof *s->offsets)))
    return fail(r, AS_ENOMEM, "%s", as_strerror(AS_ENOMEM));
  enum { BLOCK = 512 };
  unsigned char buf[BLOCK * 8];
  for (uint64_t i = 0; i <= n;) {
    uint64_t m = n + 1 - i < BLOCK ? n + 1 - i : BLOCK;
    int rc = take(r, buf, 8 * m, "offsets");
    if (rc < 0) return rc;
    for (uint64_t j = 0; j < m; j++) s->offsets[i + j] = get_u64(buf + 8 * j);
    i += m;
  }
  if (s->offsets[0] != 0)
    return fail(r, AS_EINVAL, "%s", "offsets[0] is not 0");
  for (uint64_t i = 0; i < n; i++)
    if (s->offsets[i + 1] < s->offsets[i])
      return fail(r, AS_EINVAL, "%s", "offsets decrease");
  if (s->offsets[n] != data_bytes)
    return fail(r, AS_EINVAL, "%s", "offsets[n] is not the data's size");
  return 0;
}

int as__batch_out_bound(const as_kernel *k, uint64_t n, uint64_t file_bytes) {
  /* n * out_size > PER_BYTE * file_bytes, without overflow (the cap
   * saturates). */
  uint64_t cap = file_bytes > UINT64_MAX / AS_BATCH_OUT_PER_BYTE
                     ? UINT64_MAX
                     : file_bytes * AS_BATCH_OUT_PER_BYTE;
  if (k->out_size && n > cap / k->out_size) return AS_EINVAL;
  return 0;
}

static int read_batch(reader *r, as_synth *s) {
  char got[8];
  const as_kernel *k = NULL;
  uint32_t version;
  uint64_t n, data_bytes, shared_bytes;
  unsigned char has_offsets = 0;
  int rc = take(r, got, 8, "magic");
  if (rc < 0) return rc;
  if (memcmp(got, magic, 8) != 0)
    return fail(r, AS_EINVAL, "%s", "not a batch file (bad magic)");
  if ((rc = take_kernel(r, &k)) < 0 ||
      (rc = take_u32(r, &version, "version")) < 0)
    return rc;
  if (version != k->version)
    return fail(r, AS_EINVAL, "%s version %u, this build's is %u", k->name,
                version, k->version);
  if ((rc = take_u64(r, &n, "task count")) < 0 ||
      (rc = take_u64(r, &data_bytes, "data size")) < 0 ||
      (rc = take_u64(r, &shared_bytes, "shared size")) < 0 ||
      (rc = take(r, &has_offsets, 1, "offsets flag")) < 0)
    return rc;
  if (has_offsets > 1)
    return fail(r, AS_EINVAL, "%s", "offsets flag is not 0 or 1");
  /* The rest of the file is exactly offsets, data and shared: each size is
   * checked against what is left before it is added or allocated, so no
   * header can make the sum wrap or the allocations exceed the file. */
  uint64_t left = r->left;
  if (has_offsets && (left < 8 || n > left / 8 - 1))
    return fail(r, AS_EINVAL, "task count %llu larger than the file holds",
                (unsigned long long)n);
  if (as__batch_out_bound(k, n, r->size) < 0)
    return fail(r, AS_EINVAL,
                "%llu tasks of %zu output bytes would exceed %d times the "
                "file's %llu bytes",
                (unsigned long long)n, k->out_size, AS_BATCH_OUT_PER_BYTE,
                (unsigned long long)r->size);
  uint64_t offsets_bytes = has_offsets ? (n + 1) * 8 : 0;
  if (!has_offsets && data_bytes)
    return fail(r, AS_EINVAL, "%s", "data without offsets");
  if (data_bytes > left - offsets_bytes ||
      shared_bytes > left - offsets_bytes - data_bytes)
    return fail(r, AS_EINVAL, "%s", "sizes larger than the file holds");
  if (shared_bytes < left - offsets_bytes - data_bytes)
    return fail(r, AS_EINVAL, "%s", "trailing bytes after the batch");
  if (has_offsets && (rc = take_offsets(r, s, n, data_bytes)) < 0) return rc;
  /* A data block exists whenever there are offsets, so a task's input is
   * never an offset from a null pointer. */
  size_t words = (size_t)((data_bytes + 3) / 4);
  if ((has_offsets || data_bytes) &&
      !(s->words = malloc((words ? words : 1) * 4)))
    return fail(r, AS_ENOMEM, "%s", as_strerror(AS_ENOMEM));
  if ((rc = take(r, s->words, data_bytes, "data")) < 0) return rc;
  if (shared_bytes && !(s->shared = malloc((size_t)shared_bytes)))
    return fail(r, AS_ENOMEM, "%s", as_strerror(AS_ENOMEM));
  if ((rc = take(r, s->shared, shared_bytes, "shared block")) < 0) return rc;
  if (fgetc(r->f) != EOF)
    return fail(r, AS_EINVAL, "%s", "the file grew while read");
  s->batch = (as_batch){.kernel = k,
                        .n = (size_t)n,
                        .data = s->words,
                        .offsets = s->offsets,
                        .shared = s->shared,
                        .shared_size = (size_t)shared_bytes};
  const char *bad = check_batch(&s->batch);
  if (bad) return fail(r, AS_EINVAL, "%s batch: %s", k->name, bad);
  /* n is now bounded by the file: by its offsets. */
  if (!(s->out = calloc(n ? (size_t)n : 1, k->out_size)))
    return fail(r, AS_ENOMEM, "%s", as_strerror(AS_ENOMEM));
  s->batch.out = s->out;
  return 0;
}

int as__batch_read(const char *path, as_synth *s, char *err, size_t len) {
  memset(s, 0, sizeof *s);
  reader r = {NULL, path, 0, 0, err, len};
  FILE *f = as__fopen_regular(path); /* never blocks on a FIFO */
  if (!f && errno == EINVAL)
    return fail(&r, AS_EINVAL, "%s", "not a regular file");
  if (!f) return fail(&r, AS_EIO, "%s", strerror(errno));
  struct stat st;
  int rc;
  if (fstat(fileno(f), &st) != 0) /* its size; a regular file, as opened */
    rc = fail(&r, AS_EIO, "%s", strerror(errno));
  else {
    r.f = f;
    r.size = r.left = (uint64_t)st.st_size;
    rc = read_batch(&r, s);
  }
  fclose(f);
  if (rc < 0) as__synth_free(s);
  return rc;
}
