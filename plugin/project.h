/* What the index (index=) records of each function beyond the TU's own
 * analysis: its hash and callees as they read across TUs. In a TU, a call
 * to a function defined there counts by that function's class and a call
 * to one declared there by its name, so the same caller in two TUs (one
 * that defines the callee, one that declares it) hashes apart. Here every
 * call to a function the TU does not define for good (declared, or
 * replaceable at link time) is a callee by symbol (an extern), to be
 * resolved across the project by accelstrat-report; calls to the TU's own
 * definitions stay callees by index. */
#ifndef ACCELSTRAT_PLUGIN_PROJECT_H
#define ACCELSTRAT_PLUGIN_PROJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <llvm-c/Core.h>

typedef struct asp_project_func {
  uint64_t hash;     /* everything mergefunc compares but callee identity */
  uint32_t *callees; /* < n: a body of the module (asp_module order);
                        >= n: extern callees - n */
  uint32_t n_callees;
  bool eligible;     /* mergefunc admits it */
  bool interposable; /* may be replaced at link time */
  bool tu_globals;   /* uses a global of the TU's own (not a function) */
} asp_project_func;

typedef struct asp_project {
  asp_project_func *funcs; /* one per body, in module order (as asp_module) */
  size_t n;
  LLVMValueRef *externs; /* the functions called by symbol */
  size_t n_externs;
} asp_project;

/* Loads m again in the project's terms. Returns 0 or -1 (out of memory). */
int asp_project_load(LLVMModuleRef m, asp_project *out);
void asp_project_free(asp_project *p);

#endif
