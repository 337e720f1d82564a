/* accelstrat-report's view of a project: the TUs whose index records were
 * found, each function once (a function seen in many TUs, such as an
 * inline function or a template instantiation, counts once, with the TUs it
 * came from), and identity classes across the whole project. */
#ifndef ACCELSTRAT_REPORT_PROJECT_H
#define ACCELSTRAT_REPORT_PROJECT_H

#include <stddef.h>
#include <stdint.h>

#include "index/index.h"

typedef struct rp_tu {
  asx_tu tu;
  char *origin; /* where its record was found */
} rp_tu;

typedef struct rp_fn {
  const asx_func *f;
  uint32_t tu;       /* the first TU it was seen in */
  uint32_t n_tus;    /* how many TUs define it (1 + copies folded in) */
  uint32_t *callees; /* resolved: a function of the project, or
                        RP_EXTERN | an id of the symbol's name */
  uint32_t klass;    /* identity class: equal klass <=> identical */
} rp_fn;

#define RP_EXTERN 0x80000000u

typedef struct rp_project {
  rp_tu *tus;
  size_t n_tus, cap_tus;
  size_t skipped_configure; /* configure-time test compiles left out */
  size_t replaced;          /* records replaced by a later one of the TU */
  rp_fn *fns;
  size_t n_fns;
  uint32_t **of_tu; /* of_tu[t][i]: the function of TU t's record i */
} rp_project;

/* Takes tu, found at origin, into p (which owns it from now on): a record
 * with a key already seen replaces the earlier one; a configure-time test
 * compile (CMake's try_compile and compiler checks, autoconf's conftest)
 * is dropped. Returns 0 or -1 (out of memory: tu freed). */
int rp_add_tu(rp_project *p, const char *origin, asx_tu *tu);

/* After the last rp_add_tu: each function once, callees resolved, identity
 * classes as opt -passes=mergefunc would find them in one module made of
 * all the TUs: from single functions, merging those with equal hashes
 * whose callees are pairwise in one class, until nothing changes (so
 * mutually recursive pairs stay apart, as mergefunc leaves them). A call
 * by symbol resolves to the project's one definition of it that cannot be
 * replaced at link time, else it is compared by name. Returns 0 or -1 (out
 * of memory). */
int rp_finish(rp_project *p);

void rp_project_free(rp_project *p);

#endif
