/* The project's terms of a module's functions (project.h): the same load
 * as asp_module_load (record.c's tokens, walk and local hash), with the
 * callees that the TU does not define for good counted by symbol. */
#include "project.h"

#include <stdlib.h>

#include "irhash.h"
#include "load.h"
#include "record.h"
#include "traits.h"

static bool is_local_linkage(LLVMValueRef g) {
  LLVMLinkage l = LLVMGetLinkage(g);
  return l == LLVMInternalLinkage || l == LLVMPrivateLinkage;
}

/* Whether v is, or a constant expression over, a global of the TU's own:
 * its identity is this TU's, so another TU's function cannot equal one
 * that uses it. depth bounds the constant expressions followed. */
static bool is_tu_global(LLVMValueRef v, int depth) {
  if (LLVMIsAGlobalValue(v)) return is_local_linkage(v);
  if (depth == 0 || !LLVMIsAConstantExpr(v)) return false;
  int n = LLVMGetNumOperands(v);
  for (int i = 0; i < n; i++)
    if (is_tu_global(LLVMGetOperand(v, i), depth - 1)) return true;
  return false;
}

/* Whether fn uses a global of the TU's own other than by calling one of
 * its functions. */
static bool uses_tu_globals(LLVMValueRef fn) {
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb;
       bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst;
         inst = LLVMGetNextInstruction(inst)) {
      const int n = LLVMGetNumOperands(inst);
      const int callee = is_call(LLVMGetInstructionOpcode(inst)) ? n - 1 : n;
      for (int i = 0; i < n; i++) {
        LLVMValueRef v = LLVMGetOperand(inst, i);
        if (i == callee && LLVMIsAFunction(v)) continue;
        if (is_tu_global(v, 8)) return true;
      }
    }
  return false;
}

/* The callee records: the module's bodies that cannot be replaced at link
 * time by index (as asp_module_load has them), every other function but
 * the intrinsics as an extern. traits[] gets the bodies' merge traits. */
static bool index_callees(load_ctx *c, asp_project *p, merge_traits *traits) {
  size_t i = 0, cap = 0;
  for (LLVMValueRef fn = LLVMGetFirstFunction(c->module); fn;
       fn = LLVMGetNextFunction(fn)) {
    uint64_t value;
    if (has_body(fn)) {
      merge_traits *t = &traits[i];
      describe_merge_traits(c, fn, t);
      p->funcs[i].interposable = t->interposable;
      value = i++ | (t->address_free ? ADDRESS_FREE : 0);
      if (!t->interposable) {
        if (!ptr_map_put(&c->callee_records, fn, value)) return false;
        continue;
      }
    } else if (LLVMGetIntrinsicID(fn)) {
      continue; /* compared by name, as in the TU */
    }
    if (p->n_externs == cap) {
      cap = cap ? 2 * cap : 16;
      LLVMValueRef *grown = realloc(p->externs, cap * sizeof *grown);
      if (!grown) return false;
      p->externs = grown;
    }
    value = p->n + p->n_externs;
    p->externs[p->n_externs++] = fn;
    if (!ptr_map_put(&c->callee_records, fn, value)) return false;
  }
  return true;
}

/* One body in the project's terms. */
static bool load_one(load_ctx *c, LLVMValueRef fn, merge_traits *traits,
                     asp_project_func *out) {
  asp_func rec = {.fn = fn};
  walk_record walk = {0};
  load_function(c, &rec, &walk, traits);
  if (!c->out_of_memory) hash_local_data(c, &rec, &walk);
  out->hash = rec.local_hash;
  out->callees = rec.callees;
  out->n_callees = rec.n_callees;
  out->eligible = traits->eligible;
  out->tu_globals = uses_tu_globals(fn);
  free(rec.tokens);
  free(walk.tokens);
  return !c->out_of_memory;
}

int asp_project_load(LLVMModuleRef m, asp_project *out) {
  *out = (asp_project){0};
  load_ctx c;
  load_ctx_init(&c, m);
  prepare_module(&c);
  for (LLVMValueRef fn = LLVMGetFirstFunction(m); fn;
       fn = LLVMGetNextFunction(fn))
    out->n += has_body(fn);
  out->funcs = calloc(out->n ? out->n : 1, sizeof *out->funcs);
  merge_traits *traits = calloc(out->n ? out->n : 1, sizeof *traits);
  bool ok = out->funcs && traits && index_callees(&c, out, traits);
  size_t i = 0;
  for (LLVMValueRef fn = LLVMGetFirstFunction(m); fn && ok;
       fn = LLVMGetNextFunction(fn))
    if (has_body(fn)) {
      ok = load_one(&c, fn, &traits[i], &out->funcs[i]);
      i++;
    }
  free(traits);
  load_ctx_free(&c);
  if (!ok) {
    asp_project_free(out);
    return -1;
  }
  return 0;
}

void asp_project_free(asp_project *p) {
  for (size_t i = 0; p->funcs && i < p->n; i++) free(p->funcs[i].callees);
  free(p->funcs);
  free(p->externs);
  *p = (asp_project){0};
}
