/* Finding and writing index records (index/index.h): asx_scan finds the
 * records of hand-made ELF objects (two sections of one name, padding,
 * a corrupt record, a section outside the file), GNU, BSD and thin
 * archives and a directory tree (a link loop, a link to a file, a FIFO,
 * other files, a dangling link, a temporary file, a corrupt record among
 * good ones: one warning naming it); what is named directly and is none of
 * these is warned about, a FIFO without hanging; asx_write_dir replaces a
 * record, leaves no temporary file, and says why it cannot write. */
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/index.h"
#include "test_index_bytes.h"
#include "test_util.h"

static char dir[256];

/* ---- what a scan saw ---- */

#define MAX_SEEN 32

typedef struct seen {
  int n, n_warned;
  char origin[MAX_SEEN][300];
  asx_tu *tu[MAX_SEEN]; /* kept past the callback, freed by forget() */
  char warned[8][600];
} seen;

/* origin without dir's prefix. */
static const char *rel(const char *origin) {
  size_t n = strlen(dir);
  return strncmp(origin, dir, n) == 0 && origin[n] == '/' ? origin + n + 1
                                                          : origin;
}

static void on_found(void *ctx, const char *origin, asx_tu *tu) {
  seen *s = ctx;
  if (s->n == MAX_SEEN) {
    TEST_FAIL("more than %d records", MAX_SEEN);
    asx_tu_free(tu);
    return;
  }
  snprintf(s->origin[s->n], sizeof s->origin[0], "%s", rel(origin));
  s->tu[s->n++] = tu;
}

static void on_warn(void *ctx, const char *origin, const char *msg) {
  seen *s = ctx;
  if (s->n_warned < 8)
    snprintf(s->warned[s->n_warned], sizeof s->warned[0], "%s: %s", rel(origin),
             msg);
  s->n_warned++;
}

static void forget(seen *s) {
  for (int i = 0; i < s->n; i++) asx_tu_free(s->tu[i]);
  memset(s, 0, sizeof *s);
}

/* s saw the records of these keys from these origins, in this order, and
 * one warning containing warning (none when NULL); then forgets them. */
static void expect_seen(const char *what, seen *s, int n,
                        const char *const origins[], const uint64_t keys[],
                        const char *warning) {
  CHECK_MSG(s->n == n, "%s: %d records, expected %d", what, s->n, n);
  for (int i = 0; i < n && i < s->n; i++)
    CHECK_MSG(strcmp(s->origin[i], origins[i]) == 0 && s->tu[i]->key == keys[i],
              "%s: record %d from %s key %ju, expected %s key %ju", what, i,
              s->origin[i], (uintmax_t)s->tu[i]->key, origins[i],
              (uintmax_t)keys[i]);
  int want = warning != NULL;
  CHECK_MSG(s->n_warned == want && (!want || strstr(s->warned[0], warning)),
            "%s: %d warnings (first: \"%s\"), expected %d with \"%s\"", what,
            s->n_warned, s->n_warned ? s->warned[0] : "", want,
            warning ? warning : "");
  forget(s);
}

/* ---- files made by hand ---- */

static void path_of(char *buf, size_t len, const char *name) {
  snprintf(buf, len, "%s/%s", dir, name);
}

static void spit(const char *name, const bytes *b) {
  char path[512];
  path_of(path, sizeof path, name);
  FILE *f = fopen(path, "wb");
  CHECK_MSG(f && fwrite(b->b, 1, b->n, f) == b->n && fclose(f) == 0,
            "cannot write %s", path);
}

static long scan_name(const char *name, seen *s) {
  char path[512];
  path_of(path, sizeof path, name);
  return asx_scan(path, on_found, on_warn, s);
}

/* A small valid record of this key; corrupt: with a flipped payload byte. */
static void put_record(bytes *o, uint64_t key, int corrupt) {
  const char *ext[] = {"puts"};
  uint32_t callee = 1, tokens[] = {5, 6, 7};
  uint64_t consts[] = {1, 9};
  asx_func f = {.symbol = "main",
                .name = "main",
                .file = "m.c",
                .line = 3,
                .flags = ASX_F_ELIGIBLE,
                .n_insts = 3,
                .n_callees = 1,
                .callees = &callee,
                .tokens = tokens,
                .n_consts = 2,
                .consts = consts};
  asx_tu tu = {.source = "m.c",
               .directory = "/src",
               .output = "m.o",
               .producer = "test",
               .key = key,
               .n_externs = 1,
               .externs = ext,
               .n_funcs = 1,
               .funcs = &f};
  unsigned char *rec;
  size_t len;
  char err[256];
  if (asx_encode(&tu, &rec, &len, err, sizeof err) < 0) abort();
  put(o, rec, len);
  if (corrupt) o->b[o->n - 1] ^= 1;
  free(rec);
}

static void put_shdr(bytes *o, size_t name, uint32_t type, size_t off,
                     size_t size) {
  put_le(o, name, 4);
  put_le(o, type, 4);
  put_zeros(o, 16); /* flags, address */
  put_le(o, off, 8);
  put_le(o, size, 8);
  put_le(o, 0, 8); /* link, info */
  put_le(o, 1, 8); /* alignment */
  put_le(o, 0, 8);
}

typedef struct section_spec {
  const char *name;
  const bytes *data;
} section_spec;

/* An ELF relocatable object (64-bit little-endian unless elf_class and
 * elf_data say otherwise) of these sections, then its name table. */
static void make_elf(bytes *o, const section_spec *secs, int n, int elf_class,
                     int elf_data) {
  o->n = 0;
  put(o, "\177ELF", 4);
  put_le(o, elf_class, 1);
  put_le(o, elf_data, 1);
  put_le(o, 1, 1);
  put_zeros(o, 64 - 7);
  set_le(o, 0x10, 1, 2);  /* ET_REL */
  set_le(o, 0x12, 62, 2); /* x86-64 */
  set_le(o, 0x14, 1, 4);
  set_le(o, 0x34, 64, 2);
  set_le(o, 0x3a, 64, 2);
  set_le(o, 0x3c, (uint64_t)n + 2, 2);
  set_le(o, 0x3e, (uint64_t)n + 1, 2);
  size_t off[8], name[9];
  for (int i = 0; i < n; i++) {
    off[i] = o->n;
    put(o, secs[i].data->b, secs[i].data->n);
  }
  size_t names = o->n;
  put(o, "", 1);
  for (int i = 0; i <= n; i++) {
    const char *s = i < n ? secs[i].name : ".shstrtab";
    name[i] = o->n - names;
    put(o, s, strlen(s) + 1);
  }
  size_t names_len = o->n - names;
  put_zeros(o, (8 - o->n % 8) % 8);
  set_le(o, 0x28, o->n, 8);
  put_zeros(o, 64);
  for (int i = 0; i < n; i++)
    put_shdr(o, name[i], 1 /* PROGBITS */, off[i], secs[i].data->n);
  put_shdr(o, name[n], 3 /* STRTAB */, names, names_len);
}

/* An object whose two ASX_SECTION sections hold keys k, k + 1 (then zero
 * padding) and k + 2; bad: the second record corrupt. */
static void make_object(bytes *o, uint64_t k, int bad, int elf_class) {
  static bytes one, two, text;
  one.n = two.n = text.n = 0;
  put_record(&one, k, 0);
  put_record(&one, k + 1, bad);
  put_zeros(&one, 5);
  put(&text, "\x90\xc3", 2);
  put_record(&two, k + 2, 0);
  section_spec secs[] = {
      {ASX_SECTION, &one}, {".text", &text}, {ASX_SECTION, &two}};
  make_elf(o, secs, 3, elf_class, 1);
}

static void test_objects(void) {
  static bytes obj;
  seen s = {0};
  make_object(&obj, 1, 0, 2);
  CHECK_INT_EQ(asx_scan_buffer(obj.b, obj.n, "obj.o", on_found, on_warn, &s),
               3);
  const char *o3[] = {"obj.o", "obj.o", "obj.o"};
  expect_seen("object buffer", &s, 3, o3, (uint64_t[]){1, 2, 3}, NULL);
  spit("obj.o", &obj);
  CHECK_INT_EQ(scan_name("obj.o", &s), 3);
  expect_seen("object file", &s, 3, o3, (uint64_t[]){1, 2, 3}, NULL);
  make_object(&obj, 1, 1, 2);
  asx_scan_buffer(obj.b, obj.n, "obj.o", on_found, on_warn, &s);
  expect_seen("corrupt record", &s, 2, o3, (uint64_t[]){1, 3},
              "obj.o: index record 2: bad checksum");
  /* The first section's size beyond the file: the other is still read. */
  make_object(&obj, 1, 0, 2);
  set_le(&obj, (size_t)(obj.b[0x28] | obj.b[0x29] << 8) + 64 + 32, 1u << 30, 8);
  asx_scan_buffer(obj.b, obj.n, "obj.o", on_found, on_warn, &s);
  expect_seen("section outside", &s, 1, o3, (uint64_t[]){3},
              "obj.o: section 1 outside the file");
  make_object(&obj, 1, 0, 1);
  spit("obj32.o", &obj);
  CHECK_INT_EQ(scan_name("obj32.o", &s), 0);
  expect_seen("32-bit object", &s, 0, NULL, NULL,
              "not a 64-bit little-endian ELF object");
}

static void ar_header(bytes *o, const char *name, size_t size) {
  char h[61];
  snprintf(h, sizeof h, "%-16s%-12s%-6s%-6s%-8s%-10zu`\n", name, "0", "0", "0",
           "644", size);
  put(o, h, 60);
}

static void ar_member(bytes *o, const char *name, const void *data, size_t n) {
  ar_header(o, name, n);
  put(o, data, n);
  if (n & 1) put(o, "\n", 1);
}

static void test_archives(void) {
  static bytes ar, obj, recs, bsd;
  seen s = {0};
  make_object(&obj, 1, 0, 2);
  recs.n = 0;
  put_record(&recs, 6, 0);
  const char *names = "a_rather_long_member_name.o/\n"
                      "second_long_member_name.asx/\n";
  char second[16];
  snprintf(second, sizeof second, "/%zu",
           strlen("a_rather_long_member_name.o/\n"));
  ar.n = 0;
  put(&ar, "!<arch>\n", 8);
  ar_member(&ar, "/", "\0\0\0\0\0", 5);
  ar_member(&ar, "//", names, strlen(names));
  ar_member(&ar, "/0", obj.b, obj.n);
  ar_member(&ar, second, recs.b, recs.n);
  ar_member(&ar, "notes.txt/", "hello", 5);
  spit("lib.a", &ar);
  CHECK_INT_EQ(scan_name("lib.a", &s), 4);
  const char *in_lib[] = {"lib.a(a_rather_long_member_name.o)",
                          "lib.a(a_rather_long_member_name.o)",
                          "lib.a(a_rather_long_member_name.o)",
                          "lib.a(second_long_member_name.asx)"};
  expect_seen("GNU archive", &s, 4, in_lib, (uint64_t[]){1, 2, 3, 6}, NULL);
  /* Cut inside its last member: the members before are found. */
  asx_scan_buffer(ar.b, ar.n - 3, "lib.a", on_found, on_warn, &s);
  expect_seen("cut archive", &s, 4, in_lib, (uint64_t[]){1, 2, 3, 6},
              "truncated");
  bsd.n = 0;
  put(&bsd, "bsd_long_member_name.o\0\0", 24);
  put(&bsd, obj.b, obj.n);
  ar.n = 0;
  put(&ar, "!<arch>\n", 8);
  ar_member(&ar, "__.SYMDEF SORTED", "\0\0\0\0\0\0\0\0", 8);
  ar_member(&ar, "#1/24", bsd.b, bsd.n);
  asx_scan_buffer(ar.b, ar.n, "bsd.a", on_found, on_warn, &s);
  const char *in_bsd[] = {"bsd.a(bsd_long_member_name.o)",
                          "bsd.a(bsd_long_member_name.o)",
                          "bsd.a(bsd_long_member_name.o)"};
  expect_seen("BSD archive", &s, 3, in_bsd, (uint64_t[]){1, 2, 3}, NULL);
}

static void test_thin_archive(void) {
  static bytes ar, obj, recs;
  seen s = {0};
  char sub[512];
  path_of(sub, sizeof sub, "sub");
  CHECK_INT_EQ(mkdir(sub, 0777), 0);
  make_object(&obj, 1, 0, 2);
  spit("sub/thin_member.o", &obj);
  recs.n = 0;
  put_record(&recs, 8, 0);
  spit("x.asx", &recs);
  const char *names = "sub/thin_member.o/\n";
  ar.n = 0;
  put(&ar, "!<thin>\n", 8);
  ar_member(&ar, "//", names, strlen(names));
  ar_header(&ar, "/0", obj.n);
  ar_header(&ar, "x.asx/", recs.n);
  ar_header(&ar, "gone.o/", 100);
  spit("thin.a", &ar);
  CHECK_INT_EQ(scan_name("thin.a", &s), 4);
  const char *in_thin[] = {"thin.a(sub/thin_member.o)",
                           "thin.a(sub/thin_member.o)",
                           "thin.a(sub/thin_member.o)", "thin.a(x.asx)"};
  expect_seen("thin archive", &s, 4, in_thin, (uint64_t[]){1, 2, 3, 8},
              "thin.a(gone.o): cannot read");
}

/* tree/: records in files, an object in a subdirectory, a link to a file,
 * a link to a directory above, two links to each other, a FIFO, a dangling
 * link, other files, a temporary file and a corrupt record after a good
 * one. */
static void make_tree(void) {
  static bytes b;
  const char *dirs[] = {"tree", "tree/b"};
  for (int i = 0; i < 2; i++) {
    char path[512];
    path_of(path, sizeof path, dirs[i]);
    CHECK_INT_EQ(mkdir(path, 0777), 0);
  }
  b.n = 0;
  put_record(&b, 11, 0);
  put_record(&b, 12, 0);
  spit("tree/a.asx", &b);
  b.n = 0;
  put_record(&b, 99, 0);
  spit("tree/.a.c-0000000000000063.asx.tmp.1.0", &b);
  make_object(&b, 13, 0, 2);
  spit("tree/b/c.o", &b);
  make_object(&b, 13, 0, 1);
  spit("tree/h.o", &b);
  b.n = 0;
  put_record(&b, 14, 0);
  put_record(&b, 15, 1);
  spit("tree/f.asx", &b);
  b.n = 0;
  put_record(&b, 16, 0);
  spit("tree/g.asx", &b);
  b.n = 0;
  put(&b, "not an index\n", 13);
  spit("tree/e.txt", &b);
  char path[512];
  path_of(path, sizeof path, "tree/b/loop");
  CHECK_INT_EQ(symlink("..", path), 0);
  path_of(path, sizeof path, "tree/d.asx");
  CHECK_INT_EQ(symlink("a.asx", path), 0);
  path_of(path, sizeof path, "tree/dangling");
  CHECK_INT_EQ(symlink("nowhere", path), 0);
  path_of(path, sizeof path, "tree/l1.asx");
  CHECK_INT_EQ(symlink("l2.asx", path), 0);
  path_of(path, sizeof path, "tree/l2.asx");
  CHECK_INT_EQ(symlink("l1.asx", path), 0);
  path_of(path, sizeof path, "tree/pipe");
  CHECK_INT_EQ(mkfifo(path, 0666), 0);
}

static void test_tree(void) {
  seen s = {0};
  make_tree();
  CHECK_INT_EQ(scan_name("tree", &s), 9);
  const char *origins[] = {"tree/a.asx", "tree/a.asx", "tree/b/c.o",
                           "tree/b/c.o", "tree/b/c.o", "tree/d.asx",
                           "tree/d.asx", "tree/f.asx", "tree/g.asx"};
  expect_seen("tree", &s, 9, origins,
              (uint64_t[]){11, 12, 13, 14, 15, 11, 12, 14, 16},
              "tree/f.asx: index record 2: bad checksum");
  CHECK_INT_EQ(scan_name("tree/pipe", &s), 0);
  expect_seen("FIFO", &s, 0, NULL, NULL, "tree/pipe: not a regular file");
  CHECK_INT_EQ(scan_name("tree/e.txt", &s), 0);
  expect_seen("other file", &s, 0, NULL, NULL,
              "not an ELF object, archive or index file");
  CHECK_INT_EQ(scan_name("tree/missing", &s), -1);
  expect_seen("missing", &s, 0, NULL, NULL, "tree/missing: cannot open");
  char path[512];
  path_of(path, sizeof path, "tree");
  CHECK_INT_EQ(asx_scan(path, NULL, NULL, NULL), 9);
}

/* The names in path other than "." and ".."; the first in first. */
static int entries(const char *path, char *first, size_t len) {
  DIR *d = opendir(path);
  int n = 0;
  for (struct dirent *e; d && (e = readdir(d));)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      if (n++ == 0) snprintf(first, len, "%s", e->d_name);
  if (d) closedir(d);
  return n;
}

static void test_write_dir(void) {
  char idx[512], err[4400], first[256] = "";
  seen s = {0};
  path_of(idx, sizeof idx, "idx/deeper");
  asx_tu tu = {.source = "src/my file+.c",
               .directory = "/",
               .output = "",
               .producer = "one",
               .key = 0xdeadbeef};
  CHECK_INT_EQ(asx_write_dir(idx, &tu, err, sizeof err), 0);
  tu.producer = "two";
  CHECK_INT_EQ(asx_write_dir(idx, &tu, err, sizeof err), 0);
  CHECK_INT_EQ(entries(idx, first, sizeof first), 1);
  CHECK_MSG(strcmp(first, "my_file_.c-00000000deadbeef.asx") == 0, "%s", first);
  CHECK_INT_EQ(asx_scan(idx, on_found, on_warn, &s), 1);
  CHECK(s.n == 1 && strcmp(s.tu[0]->producer, "two") == 0 &&
        strcmp(s.tu[0]->source, "src/my file+.c") == 0);
  forget(&s);
  tu.source = "";
  CHECK_INT_EQ(asx_write_dir(idx, &tu, err, sizeof err), 0);
  CHECK_INT_EQ(entries(idx, first, sizeof first), 2);
  /* A directory that cannot be: the message names it and why. */
  char file[512], under[600];
  path_of(file, sizeof file, "obj.o");
  snprintf(under, sizeof under, "%s/x", file);
  CHECK_INT_EQ(asx_write_dir(under, &tu, err, sizeof err), -1);
  CHECK_MSG(strstr(err, under) && strstr(err, "Not a directory"), "%s", err);
  /* A TU that breaks the rules: encode's message, nothing written. */
  asx_func f = {.symbol = "", .name = "", .file = ""};
  tu.n_funcs = 1;
  tu.funcs = &f;
  CHECK_INT_EQ(asx_write_dir(idx, &tu, err, sizeof err), -1);
  CHECK_MSG(strstr(err, "function 0: symbol is empty"), "%s", err);
  CHECK_INT_EQ(entries(idx, first, sizeof first), 2);
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

int main(void) {
  const char *tmp = getenv("TMPDIR");
  snprintf(dir, sizeof dir, "%s/test_index_scan.XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  test_objects();
  test_archives();
  test_thin_archive();
  test_tree();
  test_write_dir();
  nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  return test_finish("test_index_scan");
}
