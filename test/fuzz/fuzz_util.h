/* What the libFuzzer targets share: reading an input as a stream of small
 * decisions (bytes, integers, sub-strings; zeros once it is spent, so every
 * input decodes to something), a private scratch directory for the targets
 * that must hand their input to a reader of files, and FUZZ_CHECK, which
 * prints what differed and aborts, so that libFuzzer keeps the input. */
#ifndef ACCELSTRAT_FUZZ_UTIL_H
#define ACCELSTRAT_FUZZ_UTIL_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Where FUZZ_CHECK reports: stderr as it was at start-up. */
static FILE *fuzz_log;

#define FUZZ_CHECK(cond, ...)                                                  \
  do {                                                                         \
    if (!(cond)) {                                                             \
      FILE *log_ = fuzz_log ? fuzz_log : stderr;                               \
      fprintf(log_, "%s:%d: fuzz check failed: %s: ", __FILE__, __LINE__,      \
              #cond);                                                          \
      fprintf(log_, __VA_ARGS__);                                              \
      fputc('\n', log_);                                                       \
      fflush(log_);                                                            \
      abort();                                                                 \
    }                                                                          \
  } while (0)

typedef struct fuzz_in {
  const uint8_t *p;
  size_t n;
} fuzz_in;

static inline uint8_t fuzz_u8(fuzz_in *in) {
  if (!in->n) return 0;
  in->n--;
  return *in->p++;
}

static inline uint32_t fuzz_u32(fuzz_in *in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= (uint32_t)fuzz_u8(in) << (8 * i);
  return v;
}

static inline uint64_t fuzz_u64(fuzz_in *in) {
  uint64_t lo = fuzz_u32(in);
  return lo | (uint64_t)fuzz_u32(in) << 32;
}

/* A value in [0, n) from one byte (n <= 256), or from four. */
static inline uint32_t fuzz_below(fuzz_in *in, uint32_t n) {
  if (n == 0) return 0;
  return n <= 256 ? fuzz_u8(in) % n : fuzz_u32(in) % n;
}

/* The next len bytes (fewer when the input ends); *got says how many. */
static inline const uint8_t *fuzz_bytes(fuzz_in *in, size_t len, size_t *got) {
  const uint8_t *p = in->p;
  *got = len < in->n ? len : in->n;
  in->p += *got, in->n -= *got;
  return p;
}

/* A private directory for this process's files, made once (mkdtemp in
 * $TMPDIR or /tmp) and removed at exit with what is in it. */
static char fuzz_dir_path[512];

static inline void fuzz_dir_remove(void) {
  char cmd[600];
  if (!fuzz_dir_path[0]) return;
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir_path);
  if (system(cmd) != 0) fprintf(stderr, "fuzz: cannot remove %s\n", cmd + 7);
}

static inline const char *fuzz_dir(void) {
  if (fuzz_dir_path[0]) return fuzz_dir_path;
  const char *tmp = getenv("TMPDIR");
  snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "%s/accelstrat-fuzz-XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(fuzz_dir_path)) {
    perror("fuzz: mkdtemp");
    abort();
  }
  atexit(fuzz_dir_remove);
  return fuzz_dir_path;
}

/* dir/name, in a static buffer per slot (0..3). */
static inline const char *fuzz_path(int slot, const char *name) {
  static char paths[4][600];
  snprintf(paths[slot], sizeof paths[slot], "%s/%s", fuzz_dir(), name);
  return paths[slot];
}

static inline void fuzz_write_file(const char *path, const void *data,
                                   size_t size) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const char *p = data;
  if (fd < 0) {
    perror(path);
    abort();
  }
  while (size > 0) {
    ssize_t w = write(fd, p, size);
    if (w <= 0) {
      perror(path);
      abort();
    }
    p += w, size -= (size_t)w;
  }
  close(fd);
}

/* The whole file, malloc'd, or NULL when it cannot be read. */
static inline unsigned char *fuzz_read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0;
  unsigned char *buf = malloc(cap);
  for (size_t r; buf && (r = fread(buf + n, 1, cap - n, f)) > 0;) {
    n += r;
    if (n == cap) {
      unsigned char *more = realloc(buf, cap *= 2);
      if (!more) free(buf);
      buf = more;
    }
  }
  fclose(f);
  *size = n;
  return buf;
}

/* The project's own warnings (a malformed profile's, say) to /dev/null:
 * stdio's stderr only. libFuzzer keeps the stream it took at start-up and
 * the sanitizers write to descriptor 2, so their reports still show. */
static inline void fuzz_quiet_stdio_stderr(void) {
  FILE *null = fopen("/dev/null", "w");
  if (!fuzz_log) fuzz_log = stderr;
  if (null) stderr = null;
}

#endif
