/* What mergefunc (LLVM 19) decides of a function besides comparing it:
 * whether it admits it, whether its callers may be redirected, and what
 * becomes of the body it does not keep. */
#ifndef ACCELSTRAT_PLUGIN_TRAITS_H
#define ACCELSTRAT_PLUGIN_TRAITS_H

#include <stdbool.h>
#include <stdint.h>

#include <llvm-c/Core.h>

#include "load.h"

/* Which uses a function has: mergefunc deletes a body nothing uses, and
 * where the address matters it redirects only the calls. */
typedef enum use_kind { USES_NONE, USES_CALLS_ONLY, USES_OTHER } use_kind;

/* What mergefunc (LLVM 19) looks at besides the comparison itself: whether
 * it admits the function at all, which of two equal functions it keeps,
 * and whether the other one's body then goes (deleted, or replaced by a
 * thunk) or stays. */
typedef struct merge_traits {
  bool eligible;     /* isEligibleForMerging: no distinct-metadata intrinsic */
  bool thunkable;    /* canCreateThunkFor: not varargs, not tiny */
  bool interposable; /* its callers are never redirected */
  bool local;        /* internal or private */
  bool discardable;  /* deleted once nothing uses it */
  bool address_free; /* unnamed_addr and not in llvm.used: every use is
                        replaced, not only calls */
  use_kind uses;
} merge_traits;

/* A definition mergefunc looks at: not a declaration, nor an
 * available_externally body. */
bool has_body(LLVMValueRef fn);
/* The module's llvm.used lists and, under semantic interposition, the
 * bodies that it may replace (c->used, c->preemptible). */
void prepare_module(load_ctx *c);
/* All of t but thunkable, which needs the body, and eligible, true until an
 * instruction says otherwise (uses_distinct_metadata). */
void describe_merge_traits(load_ctx *c, LLVMValueRef fn, merge_traits *t);
bool uses_distinct_metadata(load_ctx *c, LLVMValueRef inst);
bool is_thunkable(LLVMValueRef fn, uint32_t n_insts);

#endif
