/* A TU's index: the records of its functions that the plugin's index= key
 * writes (into the object, or as a file of an index directory) and that
 * accelstrat-report reads back, across the whole project.
 *
 * One record per TU, self-contained and versioned:
 *
 *   header, 32 bytes, little-endian:
 *     magic     8 bytes "ASINDEX" + '\0'
 *     version   u32     ASX_VERSION; a reader refuses any other
 *     reserved  u32     0
 *     size      u64     bytes of the payload that follows
 *     check     u64     FNV-1a 64 of the payload
 *   payload: the TU's fields, then its externs, then its functions, each
 *     string a u32 length and its bytes (no terminator), each array a u32
 *     count and its elements (asx_encode is the definition).
 *
 * Records follow each other with nothing in between where several share
 * one place (an index section after `ld -r`, or after LTO, holds one per
 * TU); a reader skips zero bytes before and after a record (alignment
 * padding: a record never starts with one). A reader checks every count
 * and index against the payload before it believes it: a corrupt,
 * truncated or foreign record is refused with a message, never read past
 * its end. The encoding is a pure function of the record (no time, no
 * process id), so that an object stays reproducible. */
#ifndef ACCELSTRAT_INDEX_INDEX_H
#define ACCELSTRAT_INDEX_INDEX_H

#include <stddef.h>
#include <stdint.h>

#define ASX_MAGIC "ASINDEX"
#define ASX_VERSION 1u
#define ASX_HEADER_BYTES 32u
/* The object's section (SHF_EXCLUDE: the linker drops it). */
#define ASX_SECTION ".accelstrat.index"
/* A file of an index directory: NAME-KEY.asx */
#define ASX_FILE_SUFFIX ".asx"

/* How a function's symbol links: what decides whether two records of one
 * symbol are one function seen twice, and how a call to it resolves. */
typedef enum asx_linkage {
  ASX_LINK_EXTERNAL = 0,     /* one definition in the program */
  ASX_LINK_INTERNAL = 1,     /* static: this TU's own */
  ASX_LINK_ODR = 2,          /* linkonce_odr / weak_odr: equal copies */
  ASX_LINK_INTERPOSABLE = 3, /* weak, linkonce, common: may be replaced
                                at link time */
  ASX_LINKAGES
} asx_linkage;

/* A function's flags. */
enum {
  ASX_F_ELIGIBLE = 1u,   /* mergefunc admits it: otherwise it is equal to
                            no other function */
  ASX_F_SYSTEM = 2u,     /* defined in a system header */
  ASX_F_TU_GLOBALS = 4u, /* refers to a global of this TU's own (internal
                            linkage, not a function): equal only to
                            functions of the same TU */
  ASX_F_ALL = 7u
};

typedef struct asx_func {
  const char *symbol; /* the IR (mangled) name, non-empty */
  const char *name;   /* demangled; equal to symbol for C */
  const char *file;   /* as the compiler was given it; "" when unknown */
  uint32_t line, col; /* 0 when unknown */
  uint8_t linkage;    /* asx_linkage */
  uint8_t flags;      /* ASX_F_* */
  uint32_t n_insts;
  /* Everything opt -passes=mergefunc compares except the identity of the
   * direct callees (and of function addresses it replaces): equal hashes
   * and pairwise equal callees make two functions identical. */
  uint64_t hash;
  uint32_t n_callees;
  /* In mergefunc's walk order. A value v < n_funcs of the TU is that
   * function of the TU (defined here); v >= n_funcs is extern
   * v - n_funcs, a function declared here and defined elsewhere, by
   * symbol. */
  const uint32_t *callees;
  const uint32_t *tokens; /* n_insts tokens, as the plugin's search uses */
  uint32_t n_consts;
  const uint64_t *consts; /* sorted hashes of the constant operands */
} asx_func;

typedef struct asx_tu {
  const char *source;    /* the TU's main file as the compiler was given it */
  const char *directory; /* the compile's working directory */
  const char *output;    /* the object's path as given (-o), or "" */
  const char *producer;  /* "accelstrat VERSION" */
  /* Which compile this is: a hash of the absolute source and output
   * paths. A TU compiled again has the same key, and its new record
   * replaces the old one. */
  uint64_t key;
  uint32_t n_externs;
  const char *const *externs; /* symbols, non-empty */
  uint32_t n_funcs;
  const asx_func *funcs;
  void *storage; /* owned by a decoded record; NULL in one built by hand */
} asx_tu;

/* The record of tu, malloc'ed into *buf (*len bytes). Returns 0, or -1
 * when out of memory or when tu breaks the rules above (a callee out of
 * range, an empty symbol, a linkage or flag out of range), with a message
 * in err. */
int asx_encode(const asx_tu *tu, unsigned char **buf, size_t *len, char *err,
               size_t errlen);

/* Decodes the record at buf[0, len) into tu (free with asx_tu_free), *used
 * getting its size (header included), so that the next record starts at
 * buf + *used (used may be NULL). Returns 0, or -1 with a message in err:
 * not a record ("no index record"), another version ("index version N,
 * this reader reads 1"), truncated, a bad checksum, or a count, index or
 * string that breaks the rules ("function 3: callee 9 out of range";
 * functions and externs are numbered from 0). Never reads outside
 * buf[0, len), and allocates nothing before the whole payload is checked:
 * then one block (tu->storage), a small multiple of the payload's size,
 * holds the arrays and the strings (NUL-terminated copies, their bytes as
 * they were). On failure tu is all zeros. */
int asx_decode(const unsigned char *buf, size_t len, asx_tu *tu, size_t *used,
               char *err, size_t errlen);

/* Frees a decoded record's storage and clears *tu (a second call, or one
 * on a TU built by hand, frees nothing). */
void asx_tu_free(asx_tu *tu);

/* ---- finding records ---- */

/* Called for each record found: origin names where it came from ("a.o",
 * "lib.a(x.o)", "idx/x-0123abcd.asx"); tu is the callee's to keep (it
 * frees it with asx_tu_free): the pointer itself stays valid until then,
 * or the callee may copy *tu and free the copy instead. */
typedef void (*asx_found_fn)(void *ctx, const char *origin, asx_tu *tu);
/* Called once for each place whose records cannot be read (the rest of the
 * scan goes on), with a one-line reason that does not repeat origin: a
 * corrupt or truncated record (origin "x.o", msg "index record 2: bad
 * checksum"; records counted from 1 across the origin's sections), a
 * foreign version, an unreadable file. After a bad record the rest of its
 * section or file is not read; the origin's other sections are. */
typedef void (*asx_warn_fn)(void *ctx, const char *origin, const char *msg);

/* Every record under path: an ELF object (64-bit little-endian: its
 * ASX_SECTION sections), an ar archive (each member, as an object or a
 * file of records; GNU, BSD and thin archives, whose members are files
 * relative to the archive's directory), a file of records (ASX_FILE_SUFFIX,
 * or any file that starts with ASX_MAGIC) or a directory, searched
 * recursively in strcmp order of names (regular files only; links to files
 * are followed, links to directories are not; asx_write_dir's temporary
 * files are passed over). Files that are none of these (a FIFO, a 32-bit
 * object, a dangling link) are skipped silently inside a directory, with a
 * warning when named directly; path itself is followed if a link. found or
 * warn may be NULL. Returns the number of records found, or -1 when path
 * itself cannot be opened or read (warned). */
long asx_scan(const char *path, asx_found_fn found, asx_warn_fn warn,
              void *ctx);

/* The records in buf[0, len) of one file or section, as asx_scan reads
 * them (for tests and for readers of other containers): an ELF object or
 * an ar archive by its magic (a thin archive's members relative to
 * origin's directory), else a run of records. */
long asx_scan_buffer(const unsigned char *buf, size_t len, const char *origin,
                     asx_found_fn found, asx_warn_fn warn, void *ctx);

/* ---- writing an index directory ---- */

/* Writes tu's record to DIR/BASE-KEY.asx (BASE the source's file name
 * without its directories, each byte outside [A-Za-z0-9._-] made '_', at
 * most 200 of them, "tu" when there is none; KEY 16 lower-case hex digits
 * of tu->key): to a temporary file in dir (.BASE-KEY.asx.tmp.PID.N) made
 * with O_EXCL, then renamed over the old one, so that a reader sees the
 * old record or the new one, never half of one, under make -j and kill -9
 * (no fsync: a power loss may leave an empty record, which reads as none).
 * dir is created if missing (mode 0777 less the umask). Returns 0, or -1
 * with a message in err naming the path and the reason. */
int asx_write_dir(const char *dir, const asx_tu *tu, char *err, size_t errlen);

#endif
