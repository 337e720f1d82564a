/* Finding index records (index.h): in ELF objects' ASX_SECTION sections,
 * in ar archives' members (thin archives' member files too), in files of
 * records, and in directories of all of these. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/index.h"
#include "index_internal.h"

typedef struct scan {
  asx_found_fn found;
  asx_warn_fn warn;
  void *ctx;
  long count;
} scan;

__attribute__((format(printf, 3, 4))) static void
warnf(scan *s, const char *origin, const char *fmt, ...) {
  if (!s->warn) return;
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  s->warn(s->ctx, origin, msg);
}

/* ---- records ---- */

/* The records of one section or file; *ordinal counts them across the
 * origin, for messages. Zero bytes before and after a record are alignment
 * padding (a record starts with its magic). After a bad record nothing
 * more of buf can be believed. */
static void scan_records(scan *s, const unsigned char *buf, size_t len,
                         const char *origin, unsigned *ordinal) {
  size_t off = 0;
  for (;;) {
    while (off < len && buf[off] == 0) off++;
    if (off == len) return;
    asx_tu tu;
    size_t used;
    char err[256];
    ++*ordinal;
    if (asx_decode(buf + off, len - off, &tu, &used, err, sizeof err) < 0) {
      warnf(s, origin, "index record %u: %s", *ordinal, err);
      return;
    }
    off += used;
    s->count++;
    if (s->found)
      s->found(s->ctx, origin, asx__tu_into_storage(&tu));
    else
      asx_tu_free(&tu);
  }
}

/* ---- ELF ---- */

#define EHDR_BYTES 64u
#define SHDR_BYTES 64u
#define SHT_NOBITS_TYPE 8u
#define SHF_COMPRESSED_FLAG 0x800u
#define SHN_XINDEX_INDEX 0xffffu

typedef struct elf {
  const unsigned char *buf;
  size_t len;
  size_t shoff, shentsize;
  uint64_t shnum;
  const unsigned char *names; /* the section name table */
  size_t names_len;
} elf;

static const unsigned char *section(const elf *e, uint64_t i) {
  return e->buf + e->shoff + i * e->shentsize;
}

/* Whether the section sh's content [off, off + size) lies in the file. */
static int content_of(const elf *e, const unsigned char *sh, size_t *off,
                      size_t *size) {
  uint64_t o = asx__get_u64(sh + 24), n = asx__get_u64(sh + 32);
  if (o > e->len || n > e->len - o) return 0;
  *off = (size_t)o;
  *size = (size_t)n;
  return 1;
}

/* The section header table and the name table: a reason when they do not
 * fit in the file. The counts beyond 16 bits are in section 0 (ELF's
 * extended numbering). */
static const char *read_sections(elf *e) {
  uint64_t shoff = asx__get_u64(e->buf + 0x28);
  size_t shentsize = asx__get_u16(e->buf + 0x3a);
  uint64_t shnum = asx__get_u16(e->buf + 0x3c);
  uint32_t shstrndx = asx__get_u16(e->buf + 0x3e);
  if (!shoff) return NULL; /* no sections */
  if (shentsize < SHDR_BYTES) return "bad ELF section header size";
  if (shoff > e->len || e->len - shoff < shentsize)
    return "ELF section headers outside the file";
  e->shoff = (size_t)shoff;
  e->shentsize = shentsize;
  if (shnum == 0) shnum = asx__get_u64(section(e, 0) + 32);
  if (shstrndx == SHN_XINDEX_INDEX) shstrndx = asx__get_u32(section(e, 0) + 40);
  if (shnum > (e->len - e->shoff) / shentsize)
    return "ELF section headers outside the file";
  if (shstrndx == 0 || shstrndx >= shnum) return NULL; /* no names */
  size_t off;
  if (!content_of(e, section(e, shstrndx), &off, &e->names_len))
    return "ELF section name table outside the file";
  e->names = e->buf + off;
  e->shnum = shnum;
  return NULL;
}

static int is_index_section(const elf *e, const unsigned char *sh) {
  uint32_t name = asx__get_u32(sh);
  return name < e->names_len && e->names_len - name >= sizeof ASX_SECTION &&
         memcmp(e->names + name, ASX_SECTION, sizeof ASX_SECTION) == 0;
}

static void scan_elf(scan *s, const unsigned char *buf, size_t len,
                     const char *origin, int direct) {
  if (len < 6 || buf[4] != 2 || buf[5] != 1) { /* ELFCLASS64, ELFDATA2LSB */
    if (direct) warnf(s, origin, "not a 64-bit little-endian ELF object");
    return;
  }
  if (len < EHDR_BYTES) {
    warnf(s, origin, "truncated ELF header");
    return;
  }
  elf e = {.buf = buf, .len = len};
  const char *bad = read_sections(&e);
  if (bad) {
    warnf(s, origin, "%s", bad);
    return;
  }
  unsigned ordinal = 0;
  for (uint64_t i = 0; i < e.shnum; i++) {
    const unsigned char *sh = section(&e, i);
    if (!is_index_section(&e, sh) || asx__get_u32(sh + 4) == SHT_NOBITS_TYPE)
      continue;
    size_t off, size;
    if (asx__get_u64(sh + 8) & SHF_COMPRESSED_FLAG)
      warnf(s, origin, "section %llu: compressed, not read",
            (unsigned long long)i);
    else if (!content_of(&e, sh, &off, &size))
      warnf(s, origin, "section %llu outside the file", (unsigned long long)i);
    else
      scan_records(s, buf + off, size, origin, &ordinal);
  }
}

/* ---- what a file holds ---- */

typedef enum kind { K_NONE, K_RECORDS, K_ELF, K_ARCHIVE, K_THIN } kind;

static int has_suffix(const char *name, const char *suffix) {
  size_t n = strlen(name), k = strlen(suffix);
  return n >= k && strcmp(name + n - k, suffix) == 0;
}

/* What a file is from its first bytes (n of them) and its name (or NULL). */
static kind kind_of(const unsigned char *head, size_t n, const char *name) {
  if (n >= 4 && memcmp(head, "\177ELF", 4) == 0) return K_ELF;
  if (n >= 8 && memcmp(head, "!<arch>\n", 8) == 0) return K_ARCHIVE;
  if (n >= 8 && memcmp(head, "!<thin>\n", 8) == 0) return K_THIN;
  if (n >= 8 && memcmp(head, ASX_MAGIC, 8) == 0) return K_RECORDS;
  if (name && has_suffix(name, ASX_FILE_SUFFIX)) return K_RECORDS;
  return K_NONE;
}

static void scan_archive(scan *s, const unsigned char *buf, size_t len,
                         const char *origin, const char *path, int thin);

/* The records of buf as k says. path: the file, to find a thin archive's
 * members; NULL inside an archive, where archives are not searched.
 * direct: named by the caller, not found in a directory or an archive. */
static void scan_contents(scan *s, kind k, const unsigned char *buf, size_t len,
                          const char *origin, const char *path, int direct) {
  unsigned ordinal = 0;
  switch (k) {
  case K_ELF: scan_elf(s, buf, len, origin, direct); break;
  case K_ARCHIVE:
  case K_THIN:
    if (path) scan_archive(s, buf, len, origin, path, k == K_THIN);
    break;
  case K_RECORDS: scan_records(s, buf, len, origin, &ordinal); break;
  case K_NONE:
    if (direct) warnf(s, origin, "not an ELF object, archive or index file");
    break;
  }
}

/* ---- files ---- */

/* path opened for reading, *st its status; -1 with errno. O_NONBLOCK: a
 * FIFO opens at once and is then refused as not a regular file. */
static int open_file(const char *path, struct stat *st) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd >= 0 && fstat(fd, st) < 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

/* The first size bytes of fd (fewer when it shrank meanwhile), malloc'ed. */
static int read_fd(int fd, off_t size, unsigned char **buf, size_t *len) {
  if (size < 0 || (uintmax_t)size > SIZE_MAX) {
    errno = EFBIG;
    return -1;
  }
  unsigned char *b = malloc(size ? (size_t)size : 1);
  if (!b) return -1;
  size_t got = 0;
  while (got < (size_t)size) {
    ssize_t r = read(fd, b + got, (size_t)size - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      int saved = errno;
      free(b);
      errno = saved;
      return -1;
    }
    if (r == 0) break;
    got += (size_t)r;
  }
  *buf = b;
  *len = got;
  return 0;
}

/* The whole of the regular file at path: NULL, or why it cannot be had. */
static const char *read_regular(const char *path, unsigned char **buf,
                                size_t *len) {
  struct stat st;
  int fd = open_file(path, &st);
  const char *why = fd < 0                 ? strerror(errno)
                    : !S_ISREG(st.st_mode) ? "not a regular file"
                    : read_fd(fd, st.st_size, buf, len) < 0 ? strerror(errno)
                                                            : NULL;
  if (fd >= 0) close(fd);
  return why;
}

/* The file at path, named directly or found in a directory (then what is
 * no index's container is passed over unread). -1 when it cannot be read. */
static int scan_file(scan *s, const char *path, int direct) {
  struct stat st;
  int fd = open_file(path, &st);
  if (fd < 0) {
    /* A dangling link or a loop of links in a tree is no file of records. */
    if (direct || (errno != ENOENT && errno != ELOOP))
      warnf(s, path, "cannot open: %s", strerror(errno));
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    if (direct) warnf(s, path, "not a regular file");
    close(fd);
    return 0;
  }
  unsigned char head[8], *buf = NULL;
  size_t len = 0;
  ssize_t n = pread(fd, head, sizeof head, 0);
  kind k = n < 0 ? K_NONE : kind_of(head, (size_t)n, path);
  int rc = n < 0 || (k != K_NONE && read_fd(fd, st.st_size, &buf, &len) < 0)
               ? -1
               : 0;
  if (rc < 0) warnf(s, path, "cannot read: %s", strerror(errno));
  close(fd);
  if (rc == 0) scan_contents(s, k, buf, len, path, path, direct);
  free(buf);
  return rc;
}

/* ---- archives ---- */

#define AR_MAGIC_BYTES 8u
#define AR_HEADER_BYTES 60u

typedef struct archive {
  const unsigned char *buf;
  size_t len;
  const char *origin;
  const char *path; /* the archive's file: a thin one's members are beside */
  int thin;
  const char *names; /* the GNU name table, the "//" member */
  size_t names_len;
} archive;

typedef struct member {
  const char *name; /* not NUL-terminated */
  size_t name_len;
  const unsigned char *data; /* in the archive; none in a thin one */
  size_t size;
} member;

/* A header field of w bytes: decimal digits, then spaces. */
static int field_number(const unsigned char *p, size_t w, uint64_t *v) {
  size_t i = 0;
  uint64_t x = 0;
  for (; i < w && p[i] >= '0' && p[i] <= '9'; i++) {
    if (x > (UINT64_MAX - 9) / 10) return -1;
    x = x * 10 + (uint64_t)(p[i] - '0');
  }
  if (i == 0) return -1;
  for (; i < w; i++)
    if (p[i] != ' ') return -1;
  *v = x;
  return 0;
}

/* m's name, from the header h (GNU "name/", BSD "name"), the GNU name
 * table ("/N") or the start of the data (BSD "#1/N"). */
static const char *member_name(const archive *ar, const unsigned char *h,
                               member *m) {
  uint64_t n;
  if (h[0] == '/' && field_number(h + 1, 15, &n) == 0) {
    const char *end = n < ar->names_len ? memchr(ar->names + n, '\n',
                                                 ar->names_len - (size_t)n)
                                        : NULL;
    if (!end) return "long name not in the archive's name table";
    m->name = ar->names + n;
    m->name_len = (size_t)(end - m->name);
  } else if (memcmp(h, "#1/", 3) == 0 && field_number(h + 3, 13, &n) == 0) {
    if (ar->thin || n > m->size) return "BSD long name outside the member";
    m->name = (const char *)m->data;
    m->name_len = (size_t)n;
    while (m->name_len && !m->name[m->name_len - 1]) m->name_len--;
    m->data += n;
    m->size -= (size_t)n;
    return NULL;
  } else {
    m->name = (const char *)h;
    m->name_len = 16;
    while (m->name_len && m->name[m->name_len - 1] == ' ') m->name_len--;
  }
  if (m->name_len && m->name[m->name_len - 1] == '/') m->name_len--;
  return NULL;
}

/* The size field of the member header at offset at. */
static int member_size(const archive *ar, size_t at, uint64_t *size, char *why,
                       size_t whylen) {
  const unsigned char *h = ar->buf + at;
  if (ar->len - at >= AR_HEADER_BYTES && memcmp(h + 58, "`\n", 2) == 0 &&
      field_number(h + 48, 10, size) == 0)
    return 0;
  snprintf(why, whylen, "%s archive member header at offset %zu",
           ar->len - at < AR_HEADER_BYTES ? "truncated" : "bad", at);
  return -1;
}

/* The member at *off, *off then the next one's: 1 for a member, 0 for one
 * of the archive's own tables, -1 with why. */
static int next_member(archive *ar, size_t *off, member *m, char *why,
                       size_t whylen) {
  size_t at = *off, data = at + AR_HEADER_BYTES;
  const unsigned char *h = ar->buf + at;
  uint64_t size;
  if (member_size(ar, at, &size, why, whylen) < 0) return -1;
  int table = h[0] == '/' &&
              (h[1] == ' ' || h[1] == '/' || memcmp(h, "/SYM64/ ", 8) == 0);
  /* A thin archive's members are files of their own; its tables are in. */
  int inside = !ar->thin || table;
  if (inside && size > ar->len - data) {
    snprintf(why, whylen,
             "archive member at offset %zu: truncated: header says %llu "
             "bytes, %zu left",
             at, (unsigned long long)size, ar->len - data);
    return -1;
  }
  m->data = ar->buf + data;
  m->size = (size_t)size;
  size_t next = inside ? data + m->size + (m->size & 1) : data;
  *off = next < ar->len ? next : ar->len;
  if (table) {
    if (h[1] == '/') {
      ar->names = (const char *)m->data;
      ar->names_len = m->size;
    }
    return 0;
  }
  const char *bad = member_name(ar, h, m);
  if (bad) snprintf(why, whylen, "archive member at offset %zu: %s", at, bad);
  return bad ? -1 : 1;
}

/* A thin archive's member: the file its name gives, relative to the
 * archive's directory unless absolute. */
static void scan_thin_member(scan *s, const archive *ar, const member *m,
                             const char *origin) {
  const char *slash = strrchr(ar->path, '/');
  int dir_len = m->name_len && m->name[0] == '/' ? 0
                : slash                          ? (int)(slash - ar->path + 1)
                                                 : 0;
  size_t cap = (size_t)dir_len + m->name_len + 1;
  char *path = malloc(cap);
  unsigned char *buf = NULL;
  size_t len = 0;
  if (!path) {
    warnf(s, origin, "out of memory");
    return;
  }
  snprintf(path, cap, "%.*s%.*s", dir_len, ar->path, (int)m->name_len, m->name);
  const char *why = read_regular(path, &buf, &len);
  if (why)
    warnf(s, origin, "cannot read %s: %s", path, why);
  else
    scan_contents(s, kind_of(buf, len, NULL), buf, len, origin, NULL, 0);
  free(buf);
  free(path);
}

static void scan_member(scan *s, const archive *ar, const member *m) {
  size_t cap = strlen(ar->origin) + m->name_len + 3;
  char *origin = malloc(cap);
  if (!origin) {
    warnf(s, ar->origin, "out of memory");
    return;
  }
  snprintf(origin, cap, "%s(%.*s)", ar->origin, (int)m->name_len, m->name);
  if (ar->thin)
    scan_thin_member(s, ar, m, origin);
  else
    scan_contents(s, kind_of(m->data, m->size, NULL), m->data, m->size, origin,
                  NULL, 0);
  free(origin);
}

static void scan_archive(scan *s, const unsigned char *buf, size_t len,
                         const char *origin, const char *path, int thin) {
  archive ar = {buf, len, origin, path, thin, NULL, 0};
  size_t off = AR_MAGIC_BYTES;
  while (off < len) {
    member m;
    char why[256];
    int rc = next_member(&ar, &off, &m, why, sizeof why);
    if (rc < 0) {
      warnf(s, origin, "%s", why);
      return;
    }
    if (rc > 0) scan_member(s, &ar, &m);
  }
}

/* ---- directories ---- */

static int by_name(const struct dirent **a, const struct dirent **b) {
  return strcmp((*a)->d_name, (*b)->d_name);
}

/* asx_write_dir's temporary files: records being written. */
static int is_temporary(const char *name) {
  return name[0] == '.' && strstr(name, ASX_FILE_SUFFIX ".tmp.") != NULL;
}

static int scan_dir(scan *s, const char *dir);

static void scan_entry(scan *s, const char *path) {
  struct stat st;
  if (lstat(path, &st) < 0)
    warnf(s, path, "cannot stat: %s", strerror(errno));
  else if (S_ISDIR(st.st_mode))
    scan_dir(s, path);
  else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))
    scan_file(s, path, 0);
}

/* The entries of dir in strcmp order; -1 when dir cannot be read. Links to
 * directories are not followed (lstat), so a tree has no loops. */
static int scan_dir(scan *s, const char *dir) {
  struct dirent **list;
  int n = scandir(dir, &list, NULL, by_name);
  if (n < 0) {
    warnf(s, dir, "cannot read directory: %s", strerror(errno));
    return -1;
  }
  size_t dir_len = strlen(dir);
  const char *sep = dir_len && dir[dir_len - 1] == '/' ? "" : "/";
  for (int i = 0; i < n; i++) {
    const char *name = list[i]->d_name;
    size_t cap = dir_len + strlen(name) + 2;
    char *path = NULL;
    if (strcmp(name, ".") && strcmp(name, "..") && !is_temporary(name) &&
        (path = malloc(cap))) {
      snprintf(path, cap, "%s%s%s", dir, sep, name);
      scan_entry(s, path);
    }
    free(path);
    free(list[i]);
  }
  free(list);
  return 0;
}

/* ---- the API ---- */

long asx_scan(const char *path, asx_found_fn found, asx_warn_fn warn,
              void *ctx) {
  scan s = {found, warn, ctx, 0};
  struct stat st;
  if (stat(path, &st) < 0) {
    warnf(&s, path, "cannot open: %s", strerror(errno));
    return -1;
  }
  int rc = S_ISDIR(st.st_mode) ? scan_dir(&s, path) : scan_file(&s, path, 1);
  return rc < 0 ? -1 : s.count;
}

long asx_scan_buffer(const unsigned char *buf, size_t len, const char *origin,
                     asx_found_fn found, asx_warn_fn warn, void *ctx) {
  scan s = {found, warn, ctx, 0};
  kind k = kind_of(buf, len, NULL);
  scan_contents(&s, k == K_NONE ? K_RECORDS : k, buf, len, origin, origin, 1);
  return s.count;
}
