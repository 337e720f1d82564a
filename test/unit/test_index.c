/* Index records (index/index.h): random TUs survive an encode and a decode
 * field for field and byte for byte; every truncation, every flipped byte,
 * a foreign version, counts far beyond the record and every broken rule
 * are refused with a message and without a large allocation; encode
 * refuses what decode would. (test_index_scan.c: finding and writing.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/index.h"
#include "support/alloc.h"
#include "test_index_bytes.h"
#include "test_util.h"

/* ---- TUs made by hand ---- */

/* A TU and everything it points to. */
typedef struct made {
  asx_tu tu;
  asx_func funcs[16];
  const char *externs[8];
  char text[8192];
  uint32_t u32s[4096];
  uint64_t u64s[256];
  size_t n_text, n_u32s, n_u64s;
} made;

/* min to min + 19 bytes of 1..255: latin-1, UTF-8 and invalid UTF-8. */
static const char *rand_text(test_rng *rng, made *m, size_t min) {
  size_t len = min + test_below(rng, 20);
  char *s = m->text + m->n_text;
  for (size_t i = 0; i < len; i++) s[i] = (char)(1 + test_below(rng, 255));
  s[len] = '\0';
  m->n_text += len + 1;
  return s;
}

static uint32_t *rand_u32s(test_rng *rng, made *m, uint32_t n, uint32_t max) {
  uint32_t *v = m->u32s + m->n_u32s;
  for (uint32_t i = 0; i < n; i++) v[i] = test_below(rng, max);
  m->n_u32s += n;
  return v;
}

static void rand_func(test_rng *rng, made *m, asx_func *f, uint32_t targets) {
  *f = (asx_func){.symbol = rand_text(rng, m, 1),
                  .name = rand_text(rng, m, 0),
                  .file = rand_text(rng, m, 0),
                  .line = (uint32_t)test_next(rng),
                  .col = test_below(rng, 200),
                  .linkage = (uint8_t)test_below(rng, ASX_LINKAGES),
                  .flags = (uint8_t)test_below(rng, ASX_F_ALL + 1),
                  .n_insts = test_below(rng, 61),
                  .hash = test_next(rng),
                  .n_callees = targets ? test_below(rng, 9) : 0,
                  .n_consts = test_below(rng, 7)};
  f->callees = rand_u32s(rng, m, f->n_callees, targets);
  f->tokens = rand_u32s(rng, m, f->n_insts, UINT32_MAX);
  uint64_t *c = m->u64s + m->n_u64s;
  for (uint32_t i = 0; i < f->n_consts; i++)
    c[i] = (i ? c[i - 1] : 0) + test_below(rng, 1000);
  f->consts = c;
  m->n_u64s += f->n_consts;
}

static void rand_tu(test_rng *rng, made *m) {
  m->n_text = m->n_u32s = m->n_u64s = 0;
  m->tu = (asx_tu){.source = rand_text(rng, m, 0),
                   .directory = rand_text(rng, m, 0),
                   .output = rand_text(rng, m, 0),
                   .producer = rand_text(rng, m, 0),
                   .key = test_next(rng),
                   .n_externs = test_below(rng, 8),
                   .externs = m->externs,
                   .n_funcs = test_below(rng, 16),
                   .funcs = m->funcs};
  for (uint32_t i = 0; i < m->tu.n_externs; i++)
    m->externs[i] = rand_text(rng, m, 1);
  for (uint32_t i = 0; i < m->tu.n_funcs; i++)
    rand_func(rng, m, &m->funcs[i], m->tu.n_funcs + m->tu.n_externs);
}

static int same_mem(const void *a, const void *b, size_t n) {
  return !n || memcmp(a, b, n) == 0;
}

static const char *func_diff(const asx_func *a, const asx_func *b) {
  if (strcmp(a->symbol, b->symbol) || strcmp(a->name, b->name) ||
      strcmp(a->file, b->file))
    return "a string";
  if (a->line != b->line || a->col != b->col || a->linkage != b->linkage ||
      a->flags != b->flags || a->hash != b->hash || a->n_insts != b->n_insts ||
      a->n_callees != b->n_callees || a->n_consts != b->n_consts)
    return "a field";
  if (!same_mem(a->callees, b->callees, a->n_callees * 4u) ||
      !same_mem(a->tokens, b->tokens, a->n_insts * 4u) ||
      !same_mem(a->consts, b->consts, a->n_consts * 8u))
    return "an array";
  return NULL;
}

/* What differs between a and b, or NULL. */
static const char *tu_diff(const asx_tu *a, const asx_tu *b) {
  if (strcmp(a->source, b->source) || strcmp(a->directory, b->directory) ||
      strcmp(a->output, b->output) || strcmp(a->producer, b->producer))
    return "a TU string";
  if (a->key != b->key || a->n_externs != b->n_externs ||
      a->n_funcs != b->n_funcs)
    return "a TU field";
  for (uint32_t i = 0; i < a->n_externs; i++)
    if (strcmp(a->externs[i], b->externs[i])) return "an extern";
  for (uint32_t i = 0; i < a->n_funcs; i++) {
    const char *d = func_diff(&a->funcs[i], &b->funcs[i]);
    if (d) return d;
  }
  return NULL;
}

/* Decodes a copy of rec[0, len) in a block of exactly len bytes, so that
 * ASan sees any read past it. */
static int decode_exact(const unsigned char *rec, size_t len, asx_tu *tu,
                        size_t *used, char *err, size_t errlen) {
  unsigned char *copy = malloc(len ? len : 1);
  if (len) memcpy(copy, rec, len);
  err[0] = '\0';
  int rc = asx_decode(copy, len, tu, used, err, errlen);
  free(copy);
  return rc;
}

/* ---- records made byte by byte ---- */

/* The header for payload[0, n) (size and FNV-1a 64 as the spec says). */
static void seal(bytes *rec, const unsigned char *payload, size_t n,
                 uint32_t version) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; i++) h = (h ^ payload[i]) * 0x100000001b3ull;
  rec->n = 0;
  put(rec, "ASINDEX", 8);
  put_le(rec, version, 4);
  put_le(rec, 0, 4);
  put_le(rec, n, 8);
  put_le(rec, h, 8);
  put(rec, payload, n);
}

/* A payload's TU part: four empty strings, a key, n_externs externs
 * "e" (their count written as given) and the function count. */
static void put_tu_head(bytes *p, uint32_t n_externs, uint32_t written,
                        uint32_t n_funcs) {
  p->n = 0;
  for (int i = 0; i < 4; i++) put_str(p, "");
  put_le(p, 42, 8);
  put_le(p, n_externs, 4);
  for (uint32_t i = 0; i < written; i++) put_str(p, "e");
  put_le(p, n_funcs, 4);
}

/* One function: linkage, flags, counts and callee as given. */
static void put_func(bytes *p, const char *symbol, unsigned linkage,
                     unsigned flags, uint32_t n_insts, uint32_t n_callees,
                     uint32_t callee, uint32_t n_consts) {
  put_str(p, symbol);
  put_str(p, "name");
  put_str(p, "file.c");
  put_le(p, 7, 4);
  put_le(p, 3, 4);
  put_le(p, linkage, 1);
  put_le(p, flags, 1);
  put_le(p, n_insts, 4);
  put_le(p, 0x1234, 8);
  put_le(p, n_callees, 4);
  if (n_callees) put_le(p, callee, 4);
  put_le(p, n_consts, 4);
}

/* The payload p, sealed, must be refused with a message containing want
 * and without allocating. */
static void expect_refused(const bytes *p, const char *want) {
  static bytes rec;
  seal(&rec, p->b, p->n, ASX_VERSION);
  as_alloc_stats before, after;
  as__alloc_stats_get(&before);
  asx_tu tu;
  char err[256];
  int rc = decode_exact(rec.b, rec.n, &tu, NULL, err, sizeof err);
  as__alloc_stats_get(&after);
  CHECK_MSG(rc == -1 && strstr(err, want), "want \"%s\", got %d \"%s\"", want,
            rc, err);
  CHECK_EQ(after.calls, before.calls);
}

/* ---- the codec ---- */

static void round_trip(test_rng *rng, made *m, uint64_t seed) {
  unsigned char *rec, *again;
  size_t len, len2, used = 0;
  char err[256];
  rand_tu(rng, m);
  CHECK_INT_EQ(asx_encode(&m->tu, &rec, &len, err, sizeof err), 0);
  asx_tu tu;
  int rc = decode_exact(rec, len, &tu, &used, err, sizeof err);
  CHECK_MSG(rc == 0, "seed %ju: decode: %s", (uintmax_t)seed, err);
  if (rc == 0) {
    const char *d = tu_diff(&m->tu, &tu);
    CHECK_MSG(!d, "seed %ju: %s differs", (uintmax_t)seed, d);
    CHECK_EQ(used, len);
    CHECK_INT_EQ(asx_encode(&tu, &again, &len2, err, sizeof err), 0);
    CHECK_MSG(len2 == len && memcmp(rec, again, len) == 0,
              "seed %ju: encoding the decoded TU gives other bytes",
              (uintmax_t)seed);
    free(again);
    asx_tu_free(&tu);
    CHECK(!tu.storage);
  }
  free(rec);
}

static void test_round_trips(uint64_t fresh, made *m) {
  uint64_t seeds[] = {1, 2, 3, 0xdeadbeef, fresh};
  for (size_t s = 0; s < sizeof seeds / sizeof *seeds; s++) {
    test_rng rng = {seeds[s]};
    for (int i = 0; i < 300; i++) round_trip(&rng, m, seeds[s]);
  }
}

static void test_empty_and_bytes(void) {
  asx_tu empty = {.source = "", .directory = "", .output = "", .producer = ""};
  unsigned char *rec;
  size_t len, used;
  char err[256];
  CHECK_INT_EQ(asx_encode(&empty, &rec, &len, err, sizeof err), 0);
  CHECK_EQ(len, ASX_HEADER_BYTES + 4 * 4 + 8 + 4 + 4);
  asx_tu tu;
  CHECK_INT_EQ(decode_exact(rec, len, &tu, &used, err, sizeof err), 0);
  CHECK(!tu_diff(&empty, &tu) && tu.storage && tu.funcs && tu.externs);
  asx_tu_free(&tu);
  asx_tu_free(&tu); /* cleared: a second free is nothing */
  free(rec);
  /* Bytes are kept as they are: UTF-8, latin-1, invalid UTF-8. */
  const char *ext[] = {"caf\xc3\xa9", "\xe9t\xe9"};
  asx_func f = {.symbol = "\xff\xfe\x80", .name = "", .file = ""};
  asx_tu odd = {.source = "d\xc3\xa9j\xc3\xa0.c",
                .directory = "/\xe9",
                .output = "",
                .producer = "\x01",
                .n_externs = 2,
                .externs = ext,
                .n_funcs = 1,
                .funcs = &f};
  CHECK_INT_EQ(asx_encode(&odd, &rec, &len, err, sizeof err), 0);
  CHECK_INT_EQ(decode_exact(rec, len, &tu, &used, err, sizeof err), 0);
  CHECK(!tu_diff(&odd, &tu));
  asx_tu_free(&tu);
  free(rec);
}

/* Every prefix of a record, and every prefix of its payload sealed as a
 * record of its own, is refused. */
static void test_truncations(test_rng *rng, made *m) {
  unsigned char *rec;
  size_t len;
  char err[256];
  do rand_tu(rng, m);
  while (m->tu.n_funcs < 4);
  CHECK_INT_EQ(asx_encode(&m->tu, &rec, &len, err, sizeof err), 0);
  static bytes cut;
  asx_tu tu;
  for (size_t n = 0; n < len; n++) {
    int rc = decode_exact(rec, n, &tu, NULL, err, sizeof err);
    CHECK_MSG(rc == -1 && err[0], "prefix %zu of %zu: %d", n, len, rc);
    seal(&cut, rec + ASX_HEADER_BYTES, n < len - 32 ? n : 0, ASX_VERSION);
    rc = n < len - 32 ? decode_exact(cut.b, cut.n, &tu, NULL, err, sizeof err)
                      : -1;
    CHECK_MSG(rc == -1 && err[0], "payload prefix %zu: %d", n, rc);
  }
  free(rec);
}

/* What a flip of header byte i must be refused as. */
static const char *header_refusal(size_t i) {
  return i < 8    ? "no index record"
         : i < 12 ? "index version"
         : i < 16 ? "reserved"
         : i < 24 ? ""
                  : "bad checksum";
}

/* Every flipped byte is refused; a flipped payload byte sealed again is
 * refused, or decodes to a TU that encodes to those very bytes. */
static void test_flips(test_rng *rng, made *m) {
  unsigned char *rec, *again;
  size_t len, len2;
  char err[256];
  do rand_tu(rng, m);
  while (m->tu.n_funcs < 3);
  CHECK_INT_EQ(asx_encode(&m->tu, &rec, &len, err, sizeof err), 0);
  static bytes resealed;
  asx_tu tu;
  for (size_t i = 0; i < len; i++) {
    for (unsigned x = 1; x < 256; x <<= 7) {
      rec[i] ^= (unsigned char)x;
      const char *want = i < 32 ? header_refusal(i) : "bad checksum";
      int rc = decode_exact(rec, len, &tu, NULL, err, sizeof err);
      CHECK_MSG(rc == -1 && strstr(err, want), "flip %u of byte %zu: %d %s", x,
                i, rc, err);
      seal(&resealed, rec + 32, len - 32, ASX_VERSION);
      if (i >= 32 &&
          decode_exact(resealed.b, len, &tu, NULL, err, sizeof err) == 0) {
        CHECK_INT_EQ(asx_encode(&tu, &again, &len2, err, sizeof err), 0);
        CHECK(len2 == len && memcmp(again, resealed.b, len) == 0);
        free(again);
        asx_tu_free(&tu);
      }
      rec[i] ^= (unsigned char)x;
    }
  }
  free(rec);
}

static void test_version_and_rules(void) {
  static bytes p, rec;
  asx_tu tu;
  char err[256];
  put_tu_head(&p, 0, 0, 0);
  seal(&rec, p.b, p.n, 7);
  CHECK_INT_EQ(decode_exact(rec.b, rec.n, &tu, NULL, err, sizeof err), -1);
  CHECK_MSG(strcmp(err, "index version 7, this reader reads 1") == 0, "%s",
            err);
  put(&p, "x", 1);
  expect_refused(&p, "1 bytes after the last function");
  put_tu_head(&p, 1, 0, 0);
  put_str(&p, "");
  expect_refused(&p, "extern 0: symbol is empty");
  put_tu_head(&p, 0, 0, 1);
  put_func(&p, "", 0, 0, 0, 0, 0, 0);
  expect_refused(&p, "function 0: symbol is empty");
  put_tu_head(&p, 0, 0, 1);
  put_func(&p, "f", ASX_LINKAGES, 0, 0, 0, 0, 0);
  expect_refused(&p, "function 0: linkage 4 out of range");
  put_tu_head(&p, 0, 0, 1);
  put_func(&p, "f", 0, ASX_F_ALL + 1, 0, 0, 0, 0);
  expect_refused(&p, "function 0: flags 0x8 out of range");
  put_tu_head(&p, 2, 2, 1);
  put_func(&p, "f", 0, 0, 0, 1, 3, 0);
  expect_refused(&p, "function 0: callee 3 out of range");
  p.n = 0;
  put_le(&p, 3, 4);
  put(&p, "a\0b", 3);
  expect_refused(&p, "NUL byte in source");
  /* The last callee in range is taken. */
  put_tu_head(&p, 2, 2, 1);
  put_func(&p, "f", 0, 0, 0, 1, 2, 0);
  seal(&rec, p.b, p.n, ASX_VERSION);
  CHECK_INT_EQ(decode_exact(rec.b, rec.n, &tu, NULL, err, sizeof err), 0);
  CHECK(tu.n_funcs == 1 && tu.funcs[0].callees[0] == 2);
  asx_tu_free(&tu);
}

/* Counts that the few bytes after them could not hold: refused before any
 * allocation. */
static void test_huge_counts(void) {
  static bytes p;
  p.n = 0;
  put_le(&p, UINT32_MAX, 4);
  expect_refused(&p, "truncated in source: 4294967295 bytes needed");
  put_tu_head(&p, UINT32_MAX, 0, 0);
  expect_refused(&p, "4294967295 externs need at least");
  put_tu_head(&p, 0, 0, UINT32_MAX);
  expect_refused(&p, "4294967295 functions need at least");
  put_tu_head(&p, 0, 0, 1);
  put_func(&p, "f", 0, 0, 1u << 30, 0, 0, 0);
  expect_refused(&p, "function 0: 1073741824 tokens need at least");
  put_tu_head(&p, 0, 0, 1);
  put_func(&p, "f", 0, 0, 0, UINT32_MAX, 0, 0);
  expect_refused(&p, "function 0: 4294967295 callees need");
  put_tu_head(&p, 0, 0, 1);
  put_func(&p, "f", 0, 0, 0, 0, 0, 1u << 28);
  expect_refused(&p, "function 0: 268435456 consts need");
  /* A valid record of many tiny functions: storage within 3x its size. */
  put_tu_head(&p, 0, 0, 1000);
  for (int i = 0; i < 1000; i++) put_func(&p, "f", 0, 0, 0, 0, 0, 0);
  static bytes rec;
  seal(&rec, p.b, p.n, ASX_VERSION);
  as_alloc_stats before, after;
  as__alloc_stats_get(&before);
  asx_tu tu;
  char err[256];
  CHECK_INT_EQ(decode_exact(rec.b, rec.n, &tu, NULL, err, sizeof err), 0);
  as__alloc_stats_get(&after);
  CHECK_MSG(after.bytes - before.bytes <= 3 * rec.n + 256,
            "%ju bytes for a record of %zu",
            (uintmax_t)(after.bytes - before.bytes), rec.n);
  asx_tu_free(&tu);
}

static void expect_encode_refuses(const asx_tu *tu, const char *want) {
  unsigned char *rec = (unsigned char *)1;
  size_t len = 1;
  char err[256] = "";
  int rc = asx_encode(tu, &rec, &len, err, sizeof err);
  CHECK_MSG(rc == -1 && strstr(err, want) && !rec && !len,
            "want \"%s\", got %d \"%s\"", want, rc, err);
}

static void test_encode_refuses(void) {
  uint32_t callee = 2;
  const char *ext[] = {"x"};
  asx_func f = {.symbol = "f",
                .name = "f",
                .file = "",
                .n_callees = 1,
                .callees = &callee};
  asx_tu tu = {.source = "a.c",
               .directory = "/",
               .output = "",
               .producer = "",
               .n_externs = 1,
               .externs = ext,
               .n_funcs = 1,
               .funcs = &f};
  expect_encode_refuses(&tu, "function 0: callee 2 out of range");
  callee = 1;
  f.linkage = ASX_LINKAGES;
  expect_encode_refuses(&tu, "function 0: linkage 4 out of range");
  f.linkage = 0;
  f.flags = 0x10;
  expect_encode_refuses(&tu, "function 0: flags 0x10 out of range");
  f.flags = ASX_F_ALL;
  f.n_insts = 3;
  expect_encode_refuses(&tu, "function 0: tokens is NULL");
  f.n_insts = 0;
  f.symbol = "";
  expect_encode_refuses(&tu, "function 0: symbol is empty");
  f.symbol = "f";
  ext[0] = "";
  expect_encode_refuses(&tu, "extern 0: symbol is empty");
  ext[0] = "x";
  tu.source = NULL;
  expect_encode_refuses(&tu, "source is NULL");
}

int main(void) {
  uint64_t seed = test_seed();
  made *m = calloc(1, sizeof *m);
  test_rng rng = {seed};
  test_round_trips(seed, m);
  test_empty_and_bytes();
  test_truncations(&rng, m);
  test_flips(&rng, m);
  test_version_and_rules();
  test_huge_counts();
  test_encode_refuses();
  free(m);
  return test_finish("test_index");
}
