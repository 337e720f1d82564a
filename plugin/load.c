/* The load state (load.h): set up, torn down, and its scratch buffers
 * grown. */
#include "load.h"

#include <stdlib.h>

void load_ctx_init(load_ctx *c, LLVMModuleRef m) {
  *c = (load_ctx){.module = m, .llvm = LLVMGetModuleContext(m)};
  c->layout = LLVMGetModuleDataLayout(m);
  c->pointer_bits = 8 * LLVMPointerSize(c->layout);
  c->range_md_kind = LLVMGetMDKindIDInContext(c->llvm, "range", 5);
  c->dbg_md_kind = LLVMGetMDKindIDInContext(c->llvm, "dbg", 3);
}

void load_ctx_free(load_ctx *c) {
  ptr_map_free(&c->type_hashes);
  ptr_map_free(&c->callee_records);
  ptr_map_free(&c->unnamed_globals);
  ptr_map_free(&c->serials);
  ptr_map_free(&c->blocks);
  ptr_map_free(&c->used);
  ptr_map_free(&c->preemptible);
  ptr_map_free(&c->md_distinct);
  free(c->consts);
  free(c->callee_ids);
  free(c->block_infos);
  free(c->walk_stack);
  free(c->walk_order);
  free(c->tokens);
  free(c->callees);
  free(c->attrs);
  free(c->md_operands);
}

void *reserve(load_ctx *c, void *buf, size_t *cap, size_t n, size_t elem_size) {
  if (n <= *cap) return buf;
  size_t new_cap = *cap ? *cap : 16;
  while (new_cap < n) new_cap *= 2;
  void *grown = realloc(buf, new_cap * elem_size);
  if (!grown) {
    c->out_of_memory = true;
    return NULL;
  }
  *cap = new_cap;
  return grown;
}
