/* Module records: token streams, exact hashes and identity classes.
 *
 * The exact hash and the identity classes follow mergefunc's
 * FunctionComparator (llvm/lib/Transforms/Utils/FunctionComparator.cpp):
 * whatever it compares is hashed, and whatever it ignores is left out, so
 * that "same class" means "opt -passes=mergefunc judges them equal" (it
 * then merges them wherever it can write a thunk or an alias).
 *
 * This file is the load; each piece it runs has a file of its own:
 *   traits.c    what mergefunc decides besides comparing (which function it
 *               admits, keeps, deletes or turns into a thunk)
 *   record.c    one function's record: tokens, callees, key, local hash
 *   tokens.c    one token per instruction
 *   cfg.c       the blocks in mergefunc's walk order
 *   irhash.c    hashes of types, constants, metadata and attributes
 *   insthash.c  hashes of instructions and signatures
 *   classes.c   identity classes from the records
 *   strict.c    strict data on demand, and what differs
 *   load.c, ptrmap.c  the state they share, and its map */
#include "module.h"

#include <stdbool.h>
#include <stdlib.h>

#include "classes.h"
#include "load.h"
#include "ptrmap.h"
#include "record.h"
#include "strict.h"
#include "traits.h"

static size_t count_bodies(LLVMModuleRef m) {
  size_t n = 0;
  for (LLVMValueRef fn = LLVMGetFirstFunction(m); fn;
       fn = LLVMGetNextFunction(fn))
    n += has_body(fn);
  return n;
}

/* What mergefunc's merge step needs of each of the n bodies, and the index
 * of the callees whose calls count by class. */
static merge_traits *index_functions(load_ctx *c, size_t n) {
  merge_traits *traits = calloc(n ? n : 1, sizeof *traits);
  if (!traits) {
    c->out_of_memory = true;
    return NULL;
  }
  size_t i = 0;
  for (LLVMValueRef fn = LLVMGetFirstFunction(c->module); fn;
       fn = LLVMGetNextFunction(fn)) {
    if (!has_body(fn)) continue;
    describe_merge_traits(c, fn, &traits[i]);
    uint64_t value = i | (traits[i].address_free ? ADDRESS_FREE : 0);
    if (!traits[i].interposable && !ptr_map_put(&c->callee_records, fn, value))
      c->out_of_memory = true;
    i++;
  }
  return traits;
}

int asp_module_load(LLVMModuleRef m, asp_module *out) {
  *out = (asp_module){0};
  load_ctx c;
  load_ctx_init(&c, m);
  prepare_module(&c);
  size_t n = count_bodies(m);
  merge_traits *traits = index_functions(&c, n);
  walk_record *walks = NULL;
  uint32_t *call_class = NULL;
  if (n && !c.out_of_memory) {
    out->funcs = calloc(n, sizeof *out->funcs);
    walks = calloc(n, sizeof *walks);
    call_class = malloc(n * sizeof *call_class);
    if (!out->funcs || !walks || !call_class) c.out_of_memory = true;
  }
  for (LLVMValueRef fn = LLVMGetFirstFunction(m); fn && !c.out_of_memory;
       fn = LLVMGetNextFunction(fn)) {
    if (!has_body(fn)) continue;
    out->funcs[out->n].fn = fn;
    load_function(&c, &out->funcs[out->n], &walks[out->n], &traits[out->n]);
    out->n++;
  }
  if (!c.out_of_memory && !mark_shared_keys(walks, out->n))
    c.out_of_memory = true;
  for (size_t i = 0; i < out->n && !c.out_of_memory; i++)
    if (walks[i].shared) hash_local_data(&c, &out->funcs[i], &walks[i]);
  bool failed = c.out_of_memory ||
                (n && assign_classes(out, walks, traits, call_class) < 0);
  for (size_t i = 0; walks && i < n; i++) free(walks[i].tokens);
  free(walks);
  /* The strict data wait for asp_module_load_strict: only the functions of
   * near-duplicate pairs need them. */
  if (!failed && !(out->strict = strict_source_new(&c, traits, call_class)))
    failed = true;
  if (failed) {
    free(traits);
    free(call_class);
    load_ctx_free(&c);
    asp_module_free(out);
    return -1;
  }
  return 0;
}

void asp_module_free(asp_module *mod) {
  for (size_t i = 0; i < mod->n; i++) {
    free(mod->funcs[i].tokens);
    free(mod->funcs[i].callees);
    free_strict(&mod->funcs[i]);
  }
  free(mod->funcs);
  strict_source_free(mod->strict);
  *mod = (asp_module){0};
}
