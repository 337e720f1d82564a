/* -p BUILD_DIR: the compiles of BUILD_DIR/compile_commands.json run again
 * with the plugin, as run-clang-tidy runs them, writing records into an
 * index directory and no object: one command analyses a CMake project
 * without rebuilding it. */
#ifndef ACCELSTRAT_REPORT_COMPILES_H
#define ACCELSTRAT_REPORT_COMPILES_H

#include <stddef.h>

typedef struct rp_compiles {
  const char *build_dir; /* holds compile_commands.json */
  const char *compiler;  /* clang-19 to run instead of the one recorded */
  const char *plugin;    /* libaccelstrat.so */
  const char *index;     /* the index directory to write */
  int jobs;              /* compiles at once */
  struct rp_progress *progress; /* compiles done of all, or NULL */
  int *stopped; /* set to the signal that stopped them (or 0); or NULL */
} rp_compiles;

/* Runs every compile of the database (each command's compiler replaced by
 * c->compiler, its object by /dev/null, its dependency-file options
 * dropped, the plugin and index=c->index added), c->jobs at a time.
 * Under `make -jN` (MAKEFLAGS names a jobserver), every compile beyond the
 * first takes a token of make's jobserver, given back when it ends: at
 * most c->jobs at once and at most one more than the tokens taken, and
 * with no token free it waits (in poll(), for a compile to end or a token)
 * rather than start one. A jobserver that cannot be used is a warning, and
 * c->jobs run. SIGINT, SIGTERM and SIGHUP stop the compiles: they are
 * passed on to those running, every token goes back, *c->stopped says
 * which, and -1 is returned.
 * Returns the number of compiles that failed (said on stderr with their
 * file), or -1 with a message in err when the database cannot be read. */
int rp_run_compiles(const rp_compiles *c, char *err, size_t errlen);

#endif
