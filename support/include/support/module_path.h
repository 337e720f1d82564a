/* Where a module loaded with dlopen is found: the runtime's way to
 * libaccelstrat-cuda.so, shared with the programs that load it themselves
 * (accelstrat-gpu-check) or point the runtime at it (accelstrat-bench). */
#ifndef ACCELSTRAT_SUPPORT_MODULE_PATH_H
#define ACCELSTRAT_SUPPORT_MODULE_PATH_H

#include <stddef.h>

/* Writes to buf the path of module `name` for the code at `anchor` (any
 * function of the library or program that loads it): name next to that
 * library or program when such a file exists (the runtime's shared library
 * in lib/ finds lib/NAME), else in ../lib/ from it when that exists (a
 * program in bin/ with the runtime linked statically: the build's and an
 * install's layout). Returns 0 when buf names a file that exists; -1 when
 * neither does, buf then holding the first candidate (the bare name when
 * where the anchor's code lives is unknown: dlopen's own search). */
int as__module_path(const void *anchor, const char *name, char *buf,
                    size_t len);

#endif
