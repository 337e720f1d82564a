/* A TU's index record: its encoding and its checked decoding (index.h). */
#include "index/index.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index_internal.h"
#include "support/alloc.h"
#include "support/fnv.h"
#include "support/message.h"

#define MAGIC_BYTES 8u
/* The fewest payload bytes an element takes, so that a count is checked
 * against what is left before anything is allocated for it. */
#define STRING_MIN 4u
#define SYMBOL_MIN (STRING_MIN + 1u)
/* symbol, name, file; line, col; linkage, flags; n_insts; hash; n_callees;
 * n_consts. */
#define FUNC_MIN (SYMBOL_MIN + 2 * STRING_MIN + 8u + 2u + 4u + 8u + 4u + 4u)

/* ---- the rules both directions keep ---- */

static int check_kind(uint32_t i, unsigned linkage, unsigned flags, char *err,
                      size_t errlen) {
  if (linkage >= ASX_LINKAGES) {
    as__message(err, errlen, "function %u: linkage %u out of range", i,
                linkage);
    return -1;
  }
  if (flags & ~(unsigned)ASX_F_ALL) {
    as__message(err, errlen, "function %u: flags 0x%x out of range", i, flags);
    return -1;
  }
  return 0;
}

/* A callee v of function i, of n_targets functions and externs. */
static int check_callee(uint32_t i, uint32_t v, uint64_t n_targets, char *err,
                        size_t errlen) {
  if (v < n_targets) return 0;
  as__message(err, errlen,
              "function %u: callee %u out of range (%llu functions and "
              "externs)",
              i, v, (unsigned long long)n_targets);
  return -1;
}

/* ---- decoding ---- */

/* Where the payload is being read, and which element, for messages. */
typedef struct cursor {
  const unsigned char *p, *end;
  char *err;
  size_t errlen;
  const char *item; /* "function", "extern", or NULL for the TU's fields */
  uint32_t index;
} cursor;

static size_t left(const cursor *c) { return (size_t)(c->end - c->p); }

__attribute__((format(printf, 2, 3))) static int fail(cursor *c,
                                                      const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (c->item)
    as__message(c->err, c->errlen, "%s %u: %s", c->item, c->index, msg);
  else
    as__message(c->err, c->errlen, "%s", msg);
  return -1;
}

/* The next n bytes, or NULL when fewer are left. */
static const unsigned char *take(cursor *c, uint64_t n, const char *what) {
  if (n > left(c)) {
    fail(c, "truncated in %s: %llu bytes needed, %zu left", what,
         (unsigned long long)n, left(c));
    return NULL;
  }
  const unsigned char *at = c->p;
  c->p += n;
  return at;
}

static int read_u8(cursor *c, const char *what, uint8_t *v) {
  const unsigned char *at = take(c, 1, what);
  if (!at) return -1;
  *v = at[0];
  return 0;
}

static int read_u32(cursor *c, const char *what, uint32_t *v) {
  const unsigned char *at = take(c, 4, what);
  if (!at) return -1;
  *v = asx__get_u32(at);
  return 0;
}

static int read_u64(cursor *c, const char *what, uint64_t *v) {
  const unsigned char *at = take(c, 8, what);
  if (!at) return -1;
  *v = asx__get_u64(at);
  return 0;
}

/* A count of elements of at least min bytes each: believed only when that
 * many could follow. */
static int read_count(cursor *c, const char *what, unsigned min, uint32_t *n) {
  if (read_u32(c, what, n) < 0) return -1;
  uint64_t need = (uint64_t)*n * min;
  if (need > left(c))
    return fail(c, "%u %s need at least %llu bytes, %zu left", *n, what,
                (unsigned long long)need, left(c));
  return 0;
}

/* The decoded record's one block: its parts' offsets in it, and how much
 * of each is used. The first pass measures (base NULL), the second fills. */
typedef struct arena {
  unsigned char *base;
  size_t funcs, externs, u64s, u32s, chars;
  size_t n_funcs, n_externs, n_u64s, n_u32s, n_chars;
} arena;

static void *part(arena *a, size_t offset, size_t *used, size_t n,
                  size_t size) {
  void *p = a->base ? a->base + offset + *used * size : NULL;
  *used += n;
  return p;
}

static uint64_t place(uint64_t off, size_t *at, size_t n, size_t size,
                      size_t align) {
  off = (off + align - 1) / align * align;
  *at = (size_t)off;
  return off + (uint64_t)n * size;
}

/* The offsets of the parts the first pass measured, after room for the
 * asx_tu itself; the block's size in *total. */
static int lay_out(arena *a, size_t *total) {
  uint64_t off = sizeof(asx_tu);
  off = place(off, &a->funcs, a->n_funcs, sizeof(asx_func), _Alignof(asx_func));
  off = place(off, &a->externs, a->n_externs, sizeof(const char *),
              _Alignof(const char *));
  off = place(off, &a->u64s, a->n_u64s, 8, _Alignof(uint64_t));
  off = place(off, &a->u32s, a->n_u32s, 4, _Alignof(uint32_t));
  off = place(off, &a->chars, a->n_chars, 1, 1);
  a->n_funcs = a->n_externs = a->n_u64s = a->n_u32s = a->n_chars = 0;
  if (off > SIZE_MAX) return -1;
  *total = (size_t)off;
  return 0;
}

static int read_string(cursor *c, arena *a, const char *what, int nonempty,
                       const char **out) {
  uint32_t len;
  const unsigned char *at;
  if (read_u32(c, what, &len) < 0 || !(at = take(c, len, what))) return -1;
  if (nonempty && !len) return fail(c, "%s is empty", what);
  if (memchr(at, 0, len)) return fail(c, "NUL byte in %s", what);
  char *s = part(a, a->chars, &a->n_chars, (size_t)len + 1, 1);
  if (s) {
    memcpy(s, at, len);
    s[len] = '\0';
  }
  *out = s;
  return 0;
}

/* n u32s, each below bound (the callees' range; UINT64_MAX for tokens). */
static int read_u32s(cursor *c, arena *a, uint32_t n, const char *what,
                     uint64_t bound, const uint32_t **out) {
  const unsigned char *at = take(c, (uint64_t)n * 4, what);
  if (!at) return -1;
  uint32_t *v = part(a, a->u32s, &a->n_u32s, n, 4);
  for (uint32_t j = 0; j < n; j++) {
    uint32_t x = asx__get_u32(at + (size_t)j * 4);
    if (check_callee(c->index, x, bound, c->err, c->errlen) < 0) return -1;
    if (v) v[j] = x;
  }
  *out = v;
  return 0;
}

static int read_u64s(cursor *c, arena *a, uint32_t n, const char *what,
                     const uint64_t **out) {
  const unsigned char *at = take(c, (uint64_t)n * 8, what);
  if (!at) return -1;
  uint64_t *v = part(a, a->u64s, &a->n_u64s, n, 8);
  for (uint32_t j = 0; v && j < n; j++) v[j] = asx__get_u64(at + (size_t)j * 8);
  *out = v;
  return 0;
}

/* A function's strings and fields, up to its arrays. */
static int read_func_head(cursor *c, arena *a, asx_func *f) {
  if (read_string(c, a, "symbol", 1, &f->symbol) < 0 ||
      read_string(c, a, "name", 0, &f->name) < 0 ||
      read_string(c, a, "file", 0, &f->file) < 0 ||
      read_u32(c, "line", &f->line) < 0 || read_u32(c, "col", &f->col) < 0 ||
      read_u8(c, "linkage", &f->linkage) < 0 ||
      read_u8(c, "flags", &f->flags) < 0 ||
      read_count(c, "tokens", 4, &f->n_insts) < 0 ||
      read_u64(c, "hash", &f->hash) < 0)
    return -1;
  return check_kind(c->index, f->linkage, f->flags, c->err, c->errlen);
}

static int read_func(cursor *c, arena *a, uint64_t n_targets, asx_func *f) {
  if (read_func_head(c, a, f) < 0 ||
      read_count(c, "callees", 4, &f->n_callees) < 0 ||
      read_u32s(c, a, f->n_callees, "callees", n_targets, &f->callees) < 0 ||
      read_u32s(c, a, f->n_insts, "tokens", UINT64_MAX, &f->tokens) < 0 ||
      read_count(c, "consts", 8, &f->n_consts) < 0 ||
      read_u64s(c, a, f->n_consts, "consts", &f->consts) < 0)
    return -1;
  return 0;
}

static int read_payload(cursor *c, arena *a, asx_tu *tu) {
  c->item = NULL;
  if (read_string(c, a, "source", 0, &tu->source) < 0 ||
      read_string(c, a, "directory", 0, &tu->directory) < 0 ||
      read_string(c, a, "output", 0, &tu->output) < 0 ||
      read_string(c, a, "producer", 0, &tu->producer) < 0 ||
      read_u64(c, "key", &tu->key) < 0 ||
      read_count(c, "externs", SYMBOL_MIN, &tu->n_externs) < 0)
    return -1;
  const char **externs =
      part(a, a->externs, &a->n_externs, tu->n_externs, sizeof *externs);
  c->item = "extern";
  for (c->index = 0; c->index < tu->n_externs; c->index++) {
    const char *s;
    if (read_string(c, a, "symbol", 1, &s) < 0) return -1;
    if (externs) externs[c->index] = s;
  }
  tu->externs = externs;
  c->item = NULL;
  if (read_count(c, "functions", FUNC_MIN, &tu->n_funcs) < 0) return -1;
  asx_func *funcs = part(a, a->funcs, &a->n_funcs, tu->n_funcs, sizeof *funcs);
  uint64_t n_targets = (uint64_t)tu->n_funcs + tu->n_externs;
  c->item = "function";
  for (c->index = 0; c->index < tu->n_funcs; c->index++) {
    asx_func measured;
    if (read_func(c, a, n_targets, funcs ? &funcs[c->index] : &measured) < 0)
      return -1;
  }
  tu->funcs = funcs;
  c->item = NULL;
  if (left(c)) return fail(c, "%zu bytes after the last function", left(c));
  return 0;
}

/* The header at buf[0, len): its payload's size in *size once the payload
 * is there and its checksum matches. */
static int check_header(const unsigned char *buf, size_t len, uint64_t *size,
                        char *err, size_t errlen) {
  size_t head = len < MAGIC_BYTES ? len : MAGIC_BYTES;
  if (!len || memcmp(buf, ASX_MAGIC, head) != 0) {
    as__message(err, errlen, "no index record");
    return -1;
  }
  if (len >= 12 && asx__get_u32(buf + 8) != ASX_VERSION) {
    as__message(err, errlen, "index version %u, this reader reads %u",
                asx__get_u32(buf + 8), ASX_VERSION);
    return -1;
  }
  if (len < ASX_HEADER_BYTES) {
    as__message(err, errlen, "truncated: header needs %u bytes, %zu left",
                ASX_HEADER_BYTES, len);
    return -1;
  }
  if (asx__get_u32(buf + 12) != 0) {
    as__message(err, errlen, "reserved header field is %u, not 0",
                asx__get_u32(buf + 12));
    return -1;
  }
  *size = asx__get_u64(buf + 16);
  if (*size > len - ASX_HEADER_BYTES) {
    as__message(err, errlen, "truncated: header says %llu bytes, %zu left",
                (unsigned long long)*size, len - ASX_HEADER_BYTES);
    return -1;
  }
  if (asx__get_u64(buf + 24) !=
      as__fnv1a(AS_FNV_OFFSET, buf + ASX_HEADER_BYTES, (size_t)*size)) {
    as__message(err, errlen, "bad checksum");
    return -1;
  }
  return 0;
}

int asx_decode(const unsigned char *buf, size_t len, asx_tu *tu, size_t *used,
               char *err, size_t errlen) {
  memset(tu, 0, sizeof *tu);
  uint64_t size;
  if (check_header(buf, len, &size, err, errlen) < 0) return -1;
  const unsigned char *payload = buf + ASX_HEADER_BYTES;
  cursor c = {payload, payload + size, err, errlen, NULL, 0};
  arena a = {0};
  asx_tu t = {0};
  size_t total;
  if (read_payload(&c, &a, &t) < 0) return -1;
  if (lay_out(&a, &total) < 0) {
    as__message(err, errlen, "record of %llu bytes too large for memory",
                (unsigned long long)size);
    return -1;
  }
  a.base = as__malloc(total);
  if (!a.base) {
    as__message(err, errlen, "out of memory (%zu bytes)", total);
    return -1;
  }
  c.p = payload;
  if (read_payload(&c, &a, &t) < 0) {
    as__free(a.base);
    return -1;
  }
  t.storage = a.base;
  *tu = t;
  if (used) *used = ASX_HEADER_BYTES + (size_t)size;
  return 0;
}

asx_tu *asx__tu_into_storage(asx_tu *tu) {
  asx_tu *kept = tu->storage;
  *kept = *tu;
  return kept;
}

void asx_tu_free(asx_tu *tu) {
  if (!tu) return;
  void *storage = tu->storage;
  /* tu may lie inside storage (asx__tu_into_storage): cleared first. */
  memset(tu, 0, sizeof *tu);
  as__free(storage);
}

/* ---- encoding ---- */

/* s as a record's string: set, under 4 GiB, not empty where it must not be. */
static int check_text(const char *where, const char *what, const char *s,
                      int nonempty, char *err, size_t errlen) {
  const char *bad = !s                       ? "is NULL"
                    : nonempty && !*s        ? "is empty"
                    : strlen(s) > UINT32_MAX ? "is 4 GiB or longer"
                                             : NULL;
  if (!bad) return 0;
  as__message(err, errlen, "%s%s %s", where, what, bad);
  return -1;
}

static int check_array(const char *where, const char *what, const void *p,
                       uint32_t n, char *err, size_t errlen) {
  if (p || !n) return 0;
  as__message(err, errlen, "%s%s is NULL with %u of them", where, what, n);
  return -1;
}

static int check_func(uint32_t i, const asx_func *f, uint64_t n_targets,
                      char *err, size_t errlen) {
  char where[32];
  snprintf(where, sizeof where, "function %u: ", i);
  if (check_text(where, "symbol", f->symbol, 1, err, errlen) < 0 ||
      check_text(where, "name", f->name, 0, err, errlen) < 0 ||
      check_text(where, "file", f->file, 0, err, errlen) < 0 ||
      check_kind(i, f->linkage, f->flags, err, errlen) < 0 ||
      check_array(where, "callees", f->callees, f->n_callees, err, errlen) ||
      check_array(where, "tokens", f->tokens, f->n_insts, err, errlen) ||
      check_array(where, "consts", f->consts, f->n_consts, err, errlen))
    return -1;
  for (uint32_t j = 0; j < f->n_callees; j++)
    if (check_callee(i, f->callees[j], n_targets, err, errlen) < 0) return -1;
  return 0;
}

static int check_tu(const asx_tu *tu, char *err, size_t errlen) {
  if (check_text("", "source", tu->source, 0, err, errlen) < 0 ||
      check_text("", "directory", tu->directory, 0, err, errlen) < 0 ||
      check_text("", "output", tu->output, 0, err, errlen) < 0 ||
      check_text("", "producer", tu->producer, 0, err, errlen) < 0 ||
      check_array("", "externs", tu->externs, tu->n_externs, err, errlen) ||
      check_array("", "funcs", tu->funcs, tu->n_funcs, err, errlen))
    return -1;
  for (uint32_t i = 0; i < tu->n_externs; i++) {
    char where[32];
    snprintf(where, sizeof where, "extern %u: ", i);
    if (check_text(where, "symbol", tu->externs[i], 1, err, errlen) < 0)
      return -1;
  }
  uint64_t n_targets = (uint64_t)tu->n_funcs + tu->n_externs;
  for (uint32_t i = 0; i < tu->n_funcs; i++)
    if (check_func(i, &tu->funcs[i], n_targets, err, errlen) < 0) return -1;
  return 0;
}

/* Where the record is written; p NULL only counts the bytes. */
typedef struct sink {
  unsigned char *p;
  uint64_t n;
} sink;

static void put(sink *s, const void *bytes, size_t n) {
  if (s->p && n) memcpy(s->p + s->n, bytes, n);
  s->n += n;
}

static void put_u8(sink *s, uint8_t v) { put(s, &v, 1); }

static void put_u32(sink *s, uint32_t v) {
  unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8),
                        (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
  put(s, b, 4);
}

static void put_u64(sink *s, uint64_t v) {
  put_u32(s, (uint32_t)v);
  put_u32(s, (uint32_t)(v >> 32));
}

static void put_string(sink *s, const char *str) {
  size_t n = strlen(str);
  put_u32(s, (uint32_t)n);
  put(s, str, n);
}

static void put_func(sink *s, const asx_func *f) {
  put_string(s, f->symbol);
  put_string(s, f->name);
  put_string(s, f->file);
  put_u32(s, f->line);
  put_u32(s, f->col);
  put_u8(s, f->linkage);
  put_u8(s, f->flags);
  put_u32(s, f->n_insts);
  put_u64(s, f->hash);
  put_u32(s, f->n_callees);
  for (uint32_t j = 0; j < f->n_callees; j++) put_u32(s, f->callees[j]);
  for (uint32_t j = 0; j < f->n_insts; j++) put_u32(s, f->tokens[j]);
  put_u32(s, f->n_consts);
  for (uint32_t j = 0; j < f->n_consts; j++) put_u64(s, f->consts[j]);
}

static void put_payload(sink *s, const asx_tu *tu) {
  put_string(s, tu->source);
  put_string(s, tu->directory);
  put_string(s, tu->output);
  put_string(s, tu->producer);
  put_u64(s, tu->key);
  put_u32(s, tu->n_externs);
  for (uint32_t i = 0; i < tu->n_externs; i++) put_string(s, tu->externs[i]);
  put_u32(s, tu->n_funcs);
  for (uint32_t i = 0; i < tu->n_funcs; i++) put_func(s, &tu->funcs[i]);
}

int asx_encode(const asx_tu *tu, unsigned char **buf, size_t *len, char *err,
               size_t errlen) {
  *buf = NULL;
  *len = 0;
  if (!tu) {
    as__message(err, errlen, "no TU");
    return -1;
  }
  if (check_tu(tu, err, errlen) < 0) return -1;
  sink measure = {NULL, 0};
  put_payload(&measure, tu);
  if (measure.n > SIZE_MAX - ASX_HEADER_BYTES) {
    as__message(err, errlen, "record of %llu bytes too large for memory",
                (unsigned long long)measure.n);
    return -1;
  }
  size_t total = ASX_HEADER_BYTES + (size_t)measure.n;
  unsigned char *out = malloc(total);
  if (!out) {
    as__message(err, errlen, "out of memory (%zu bytes)", total);
    return -1;
  }
  sink payload = {out + ASX_HEADER_BYTES, 0};
  put_payload(&payload, tu);
  sink header = {out, 0};
  put(&header, ASX_MAGIC, MAGIC_BYTES);
  put_u32(&header, ASX_VERSION);
  put_u32(&header, 0);
  put_u64(&header, payload.n);
  put_u64(&header, as__fnv1a(AS_FNV_OFFSET, out + ASX_HEADER_BYTES, payload.n));
  *buf = out;
  *len = total;
  return 0;
}
