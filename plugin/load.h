/* The state of one module's load, shared by its pieces (module.c and what
 * it calls): the module, caches that last the whole load, the function
 * being loaded, and scratch buffers that one function hands on to the
 * next. */
#ifndef ACCELSTRAT_PLUGIN_LOAD_H
#define ACCELSTRAT_PLUGIN_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <llvm-c/Core.h>
#include <llvm-c/Target.h>

#include "ptrmap.h"

/* A block of the function being loaded, by its index in layout order. */
typedef struct block_info {
  LLVMBasicBlockRef bb;
  uint32_t first_token;  /* index of its first token in layout order */
  uint32_t first_callee; /* index of its first callee in layout order */
  bool reached;          /* the walk has met it */
} block_info;

typedef struct load_ctx {
  LLVMModuleRef module;
  LLVMContextRef llvm;
  LLVMTargetDataRef layout;
  unsigned pointer_bits; /* of address space 0 */
  unsigned range_md_kind;
  unsigned dbg_md_kind;
  ptr_map type_hashes;     /* LLVMTypeRef -> structural hash */
  ptr_map callee_records;  /* mergeable defined function -> record index,
                              with ADDRESS_FREE set when uses of its address
                              also count by class */
  ptr_map unnamed_globals; /* filled on first need: global -> ordinal */
  bool unnamed_numbered;
  LLVMValueRef fn; /* the function being loaded */
  ptr_map serials; /* its arguments, blocks, instructions -> number */
  uint64_t next_serial;
  ptr_map blocks;          /* its blocks -> index in layout order */
  block_info *block_infos; /* scratch: its blocks in layout order, and one
                              more entry that ends the last one's range */
  size_t block_infos_cap;
  uint32_t *walk_stack; /* scratch: block indices */
  size_t walk_stack_cap;
  uint32_t *walk_order; /* scratch: reachable block indices in walk order */
  size_t walk_order_cap;
  uint64_t *tokens; /* scratch: its 64-bit tokens in layout order */
  size_t tokens_cap;
  uint32_t *callees; /* scratch: its direct callees in layout order */
  size_t n_callees, callees_cap;
  LLVMAttributeRef *attrs; /* scratch */
  size_t attrs_cap;
  LLVMValueRef *md_operands; /* scratch */
  size_t md_operands_cap;
  ptr_map used;        /* functions named in llvm.used or llvm.compiler.used */
  ptr_map preemptible; /* bodies that semantic interposition may replace */
  ptr_map md_distinct; /* metadata node -> 1 when distinct, 0 when uniqued */
  uint64_t *consts;    /* scratch: constant hashes of one function */
  size_t n_consts, consts_cap;
  uint64_t *callee_ids; /* scratch: direct callee identities of one function */
  size_t n_callee_ids, callee_ids_cap;
  bool out_of_memory;
} load_ctx;

/* The flag in callee_records' values; the record index is the low half. */
#define ADDRESS_FREE (UINT64_C(1) << 32)

void load_ctx_init(load_ctx *c, LLVMModuleRef m);
void load_ctx_free(load_ctx *c);

/* Returns buf with room for n elements, or NULL (recorded) when it cannot
 * grow; the caller stores the result back. */
void *reserve(load_ctx *c, void *buf, size_t *cap, size_t n, size_t elem_size);

#endif
