/* What mergefunc's FunctionComparator compares, hashed: types, constants
 * and globals, the numbering of a function's own values, metadata, inline
 * asm, attributes and constant GEP offsets. Whatever it compares is hashed
 * and whatever it ignores is left out, so that equal hashes stand for what
 * it finds equal (a collision aside). insthash.h builds instructions and
 * signatures from these. */
#ifndef ACCELSTRAT_PLUGIN_IRHASH_H
#define ACCELSTRAT_PLUGIN_IRHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <llvm-c/Core.h>

#include "load.h"

/* Hash domains. The first six are the operand kinds of a token. */
enum hash_tag {
  TAG_ARGUMENT = 1,
  TAG_CONSTANT,
  TAG_GLOBAL,
  TAG_INSTRUCTION,
  TAG_BLOCK,
  TAG_OTHER,
  TAG_TYPE,
  TAG_TOKEN,
  TAG_SIGNATURE,
  TAG_LOCAL,
  TAG_SERIAL,
  TAG_SELF,
  TAG_CALLEE,
  TAG_UNNAMED_GLOBAL,
  TAG_NULL,
  TAG_UNDEF,
  TAG_POISON,
  TAG_INT,
  TAG_DOUBLE,
  TAG_PRINTED,
  TAG_BLOCK_ADDRESS,
  TAG_CONSTANT_OFFSET,
  TAG_MD_STRING,
  TAG_MD_NODE,
  TAG_MD_OTHER,
  TAG_INLINE_ASM,
  TAG_ATTRIBUTE,
  TAG_STRICT,
  TAG_CALLEE_CLASS,
  TAG_KEY,
};

uint64_t hash_bytes(uint64_t h, const char *data, size_t len);
/* A NULL string hashes apart from every string, the empty one included. */
uint64_t hash_cstring(uint64_t h, const char *s);

uint64_t type_hash(load_ctx *c, LLVMTypeRef ty);

bool is_call(LLVMOpcode op);
/* The function a call calls directly, or NULL. */
LLVMValueRef direct_callee(LLVMValueRef call);
/* A call of llvm.dbg.*: no instruction of the records. */
bool is_debug_intrinsic(LLVMValueRef inst);

/* Whether inst is a GEP whose indices are all constant, and then the byte
 * offset it adds. */
bool is_offset_gep(load_ctx *c, LLVMValueRef inst, LLVMOpcode op,
                   uint64_t *offset);
bool counts_by_class(load_ctx *c, LLVMValueRef v, bool is_callee, uint64_t *id);

uint64_t global_identity(load_ctx *c, LLVMValueRef g);
/* An argument, block or instruction of a function. */
bool is_local(LLVMValueRef v);
uint64_t serial_of(load_ctx *c, LLVMValueRef v);
uint64_t constant_hash(load_ctx *c, LLVMValueRef k);
uint64_t md_node_hash(load_ctx *c, LLVMValueRef node);
uint64_t md_argument_hash(load_ctx *c, LLVMValueRef v);
uint64_t inline_asm_hash(load_ctx *c, LLVMValueRef v);

typedef unsigned (*attribute_count_fn)(LLVMValueRef, LLVMAttributeIndex);
typedef void (*attribute_get_fn)(LLVMValueRef, LLVMAttributeIndex,
                                 LLVMAttributeRef *);

uint64_t hash_attribute_list(load_ctx *c, uint64_t h, LLVMValueRef holder,
                             unsigned n_params, attribute_count_fn count_at,
                             attribute_get_fn get_at);

#endif
