/* Source locations of functions for remarks and reports: file and line come
 * from the DISubprogram; the column is where the function's name stands on
 * that line of the source file (debug info records no column for functions). */
#ifndef ACCELSTRAT_PLUGIN_LOCATION_H
#define ACCELSTRAT_PLUGIN_LOCATION_H

#include <llvm-c/Core.h>

typedef struct asp_location {
  char file[4096]; /* as recorded in debug info; the module's source file
                      name when there is none */
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
  char *text;          /* the whole file, NUL-terminated; NULL if unreadable */
  size_t *line_start;  /* offsets of each line's start */
  unsigned n_lines;
} asp_locator;

void asp_locator_free(asp_locator *lc);

void asp_locate(asp_locator *lc, LLVMModuleRef m, LLVMValueRef fn,
                const char *demangled, asp_location *loc);

#endif
