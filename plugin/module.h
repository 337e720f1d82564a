/* Turning a module's functions into records: token streams, exact hashes and
 * identity classes (module.c says which file does what). LLVM-C, and one
 * query of the C++ API (attribute_text.h); it never changes the module. */
#ifndef ACCELSTRAT_PLUGIN_MODULE_H
#define ACCELSTRAT_PLUGIN_MODULE_H

#include <stddef.h>
#include <stdint.h>

#include <llvm-c/Core.h>

typedef struct asp_func {
  LLVMValueRef fn;
  const char *name; /* the IR (mangled) name; owned by the module */
  size_t name_len;
  const char *file; /* from the DISubprogram, or NULL; owned by the module */
  size_t file_len;
  unsigned line;   /* 0 when unknown */
  unsigned col;    /* 0 when unknown: debug info records none (the
                      printed location then searches the source) */
  const char *dir; /* joined before a relative debug file name when it is
                      not the working directory, else NULL; under
                      -fplugin= file is clang's own name (location.h's
                      frontend table) and dir NULL */
  size_t dir_len;
  int in_system_header;     /* in a system header (-fplugin= only, else 0) */
  uint64_t template_origin; /* id of the template it was instantiated from
                               (-fplugin= only); 0 for other functions */
  uint32_t n_insts;         /* instructions, debug intrinsics excluded */
  uint32_t *tokens;    /* n_insts tokens, one per instruction, in block order */
  uint64_t local_hash; /* everything except the identity of direct callees;
                          computed only for a function that another one
                          might equal (same signature, tokens in the walk's
                          order and callee count), else a hash of those,
                          which no other function shares */
  uint32_t *callees;   /* direct callees defined here that cannot be replaced
                          at link time, as indices into asp_module.funcs, in
                          the order of the walk (reachable blocks only); other
                          callees count by name in local_hash, as mergefunc
                          compares them */
  uint32_t n_callees;
  uint32_t klass; /* identity class: equal klass <=> identical */
  /* callees also lists, in the same walk, functions whose address is used
   * (not called) where mergefunc would replace every use of it: unnamed_addr
   * ones outside llvm.used. klass is what opt -passes=mergefunc merges:
   * a function it does not admit (an intrinsic call with a distinct metadata
   * node, as in CFI checks) or whose body it would keep (no thunk for
   * varargs or for one block of one instruction, unless it can delete it)
   * has a class of its own. */
  /* What the tokens leave out, for saying how two functions differ. A
   * direct callee's identity is its call class when it is defined here,
   * cannot be replaced at link time and is admitted by mergefunc, else a
   * hash of its name. The call class is klass before the split above: of
   * two functions mergefunc finds equal it redirects the calls of one to
   * the other even where it keeps both bodies, so calling either is the
   * same call. Computed once klass is final, and only on demand
   * (asp_module_load_strict): NULL until then. */
  uint32_t *strict_tokens; /* n_insts, parallel to tokens: each token mixed
                              with the instruction's constant operand values
                              and its direct callee's identity */
  uint64_t *consts;        /* sorted hashes of the constant operands (not
                              globals or functions) of every instruction; a
                              GEP with constant indices counts its one byte
                              offset, as mergefunc compares it, and an
                              alloca's implicit count of 1 is left out */
  uint32_t n_consts;
  uint64_t *callee_ids; /* sorted identities of the direct callees */
  uint32_t n_callee_ids;
} asp_func;

typedef struct asp_strict_source asp_strict_source;

typedef struct asp_module {
  asp_func *funcs; /* every function with a body, in module order */
  size_t n;
  asp_strict_source *strict; /* what asp_module_load_strict computes from,
                                owned until asp_module_free; NULL in records
                                made otherwise */
} asp_module;

/* Builds records for every defined function of m (declarations and
 * available_externally bodies are skipped, as mergefunc skips them) and
 * computes identity classes as mergefunc would judge them: the coarsest
 * partition reached from singletons by merging functions whose local data are
 * equal and whose callees are pairwise in one class (so mutually recursive
 * pairs stay apart, as mergefunc leaves them). The strict data are left
 * to asp_module_load_strict. Returns 0 or -1 (out of memory). */
int asp_module_load(LLVMModuleRef m, asp_module *out);
void asp_module_free(asp_module *mod);

/* Computes the strict data (strict_tokens, consts, callee_ids) of the
 * functions funcs[0..n) (indices, repeats allowed) that have none yet, from
 * the module they were loaded from, which must still be there unchanged.
 * Only the functions of near-duplicate pairs need them (to say what
 * differs), so asp_module_load leaves them out. Records without a source
 * (strict NULL) keep what they have. Returns 0 or -1 (out of memory; those
 * it could not finish have none). */
int asp_module_load_strict(asp_module *mod, const uint32_t *funcs, size_t n);

/* How many constants and how many direct callees differ between a and b:
 * for each multiset (consts, callee_ids), max(|A \ B|, |B \ A|), the
 * multiset differences. */
void asp_func_differences(const asp_func *a, const asp_func *b,
                          uint32_t *consts, uint32_t *callees);

/* Token of one instruction (tokens.h). Exposed for tests. */
uint32_t asp_instruction_token(LLVMValueRef inst);

#endif
