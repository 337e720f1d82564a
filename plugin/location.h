/* Source locations of functions for remarks and reports. Under -fplugin=
 * they are clang's own, taken from the AST by the shim (the frontend table
 * below): file as clang's diagnostics print it, line and column of the name.
 * Otherwise file and line come from the DISubprogram and the column is where
 * the function's name stands on that line of the source file (debug info
 * records no column for functions); without either, there is none. */
#ifndef ACCELSTRAT_PLUGIN_LOCATION_H
#define ACCELSTRAT_PLUGIN_LOCATION_H

#include <stddef.h>
#include <stdint.h>

#include <llvm-c/Core.h>

#include "module.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where the frontend saw a function defined. */
typedef struct asp_decl_site {
  const char *file; /* as clang's diagnostics print it (the presumed name);
                       owned by the shim until the next TU starts */
  size_t file_len;
  unsigned line, col; /* of the name, where clang's diagnostics point */
  int in_system_header;
  uint64_t template_origin; /* 0, or a hash of the location of the template
                               (the instantiation pattern) */
} asp_decl_site;

/* The frontend's record of the function named name in the IR: 0 with *out
 * filled, or -1 where there is none (not under -fplugin=, or a function
 * clang made up, such as a global initialiser). Implemented by the shim. */
int asp_frontend_site(const char *name, size_t len, asp_decl_site *out);

/* The object's path as clang was given it (-o), "" where unknown (under
 * opt and -fpass-plugin= alone). Implemented by the shim. */
const char *asp_frontend_output(void);

/* Nanoseconds the frontend spent recording the TU's sites (0 where it did
 * not: under opt and -fpass-plugin= alone). Implemented by the shim. */
uint64_t asp_frontend_ns(void);
/* The process's CPU time in the same (all its threads). */
uint64_t asp_frontend_cpu_ns(void);

/* Replaces what debug info said of each function (file, line) with the
 * frontend's record where it has one. */
void asp_take_frontend_sites(asp_module *mod);

typedef struct asp_location {
  char file[4096]; /* as clang prints it; the module's source file name when
                      nothing is known */
  unsigned line;   /* 0 when unknown */
  unsigned col;    /* 0 when unknown */
} asp_location;

/* The unqualified name a demangled symbol is declared with:
 * "ns::S<int>::get(int) const" -> "get", "max<int>" -> "max",
 * "V operator+(V, V)" -> "operator". */
void asp_base_name(const char *demangled, char *buf, size_t len);

/* 1-based column of name as the declarator on line: the first whole-word
 * occurrence followed by '(' or '<', else the first whole-word occurrence;
 * 0 if absent. */
unsigned asp_find_name_column(const char *line, const char *name);

/* Keeps the last source file read, since a TU's functions mostly share one. */
typedef struct asp_locator {
  char path[8192];
  char *text;         /* the whole file, NUL-terminated; NULL if unreadable */
  size_t *line_start; /* offsets of each line's start */
  unsigned n_lines;
} asp_locator;

void asp_locator_free(asp_locator *lc);

/* The location of f as printed; demangled is its name, for the column
 * search when f has a line but no column (debug info only). */
void asp_locate(asp_locator *lc, LLVMModuleRef m, const asp_func *f,
                const char *demangled, asp_location *loc);

#ifdef __cplusplus
}
#endif

#endif
