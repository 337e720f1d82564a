/* The hashes of what mergefunc compares (irhash.h), following its
 * FunctionComparator (llvm/lib/Transforms/Utils/FunctionComparator.cpp). */
#include "irhash.h"

#include <stdlib.h>
#include <string.h>

#include <llvm-c/Target.h>

#include "attribute_text.h"
#include "hash.h"

/* ---- hashing primitives -------------------------------------------------- */

uint64_t hash_bytes(uint64_t h, const char *data, size_t len) {
  h = as_hash_combine(h, len);
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t word;
    memcpy(&word, data + i, 8);
    h = as_hash_combine(h, word);
  }
  uint64_t tail = 0;
  memcpy(&tail, data + i, len - i);
  return as_hash_combine(h, tail);
}

uint64_t hash_cstring(uint64_t h, const char *s) {
  return s ? hash_bytes(h, s, strlen(s)) : as_hash_combine(h, TAG_NULL);
}

static uint64_t hash_printed(uint64_t h, LLVMValueRef v) {
  char *text = LLVMPrintValueToString(v);
  h = hash_cstring(as_hash_combine(h, TAG_PRINTED), text);
  LLVMDisposeMessage(text);
  return h;
}

/* ---- types --------------------------------------------------------------- */

static uint64_t integer_type_hash(unsigned bits) {
  return as_hash_combine(as_hash_combine(TAG_TYPE, LLVMIntegerTypeKind), bits);
}

static uint64_t function_type_hash(load_ctx *c, uint64_t h, LLVMTypeRef ty) {
  unsigned n = LLVMCountParamTypes(ty);
  h = as_hash_combine(h, n);
  h = as_hash_combine(h, (uint64_t)LLVMIsFunctionVarArg(ty));
  h = as_hash_combine(h, type_hash(c, LLVMGetReturnType(ty)));
  if (n == 0) return h;
  LLVMTypeRef *params = malloc(n * sizeof *params);
  if (!params) {
    c->out_of_memory = true;
    return h;
  }
  LLVMGetParamTypes(ty, params);
  for (unsigned i = 0; i < n; i++)
    h = as_hash_combine(h, type_hash(c, params[i]));
  free(params);
  return h;
}

/* Structural, as mergefunc's cmpTypes: struct names do not matter, and a
 * pointer in address space 0 is the integer of its width. With opaque
 * pointers no type contains itself, so the recursion ends. */
uint64_t type_hash(load_ctx *c, LLVMTypeRef ty) {
  uint64_t h;
  if (ptr_map_get(&c->type_hashes, ty, &h)) return h;
  LLVMTypeKind kind = LLVMGetTypeKind(ty);
  h = as_hash_combine(TAG_TYPE, kind);
  switch (kind) {
  case LLVMIntegerTypeKind:
    h = integer_type_hash(LLVMGetIntTypeWidth(ty));
    break;
  case LLVMPointerTypeKind: {
    unsigned address_space = LLVMGetPointerAddressSpace(ty);
    h = address_space == 0 ? integer_type_hash(c->pointer_bits)
                           : as_hash_combine(h, address_space);
    break;
  }
  case LLVMStructTypeKind: {
    unsigned n = LLVMCountStructElementTypes(ty);
    h = as_hash_combine(h, n);
    h = as_hash_combine(h, (uint64_t)LLVMIsPackedStruct(ty));
    for (unsigned i = 0; i < n; i++)
      h = as_hash_combine(h, type_hash(c, LLVMStructGetTypeAtIndex(ty, i)));
    break;
  }
  case LLVMArrayTypeKind:
    h = as_hash_combine(h, LLVMGetArrayLength2(ty));
    h = as_hash_combine(h, type_hash(c, LLVMGetElementType(ty)));
    break;
  case LLVMVectorTypeKind:
  case LLVMScalableVectorTypeKind:
    h = as_hash_combine(h, LLVMGetVectorSize(ty));
    h = as_hash_combine(h, type_hash(c, LLVMGetElementType(ty)));
    break;
  case LLVMFunctionTypeKind: h = function_type_hash(c, h, ty); break;
  case LLVMTargetExtTypeKind:
    h = hash_cstring(h, LLVMGetTargetExtTypeName(ty));
    break;
  default: break;
  }
  /* A full cache only costs time, so a failed insert is not an error. */
  ptr_map_put(&c->type_hashes, ty, h);
  return h;
}

/* ---- calls --------------------------------------------------------------- */

bool is_call(LLVMOpcode op) {
  return op == LLVMCall || op == LLVMInvoke || op == LLVMCallBr;
}

LLVMValueRef direct_callee(LLVMValueRef call) {
  return LLVMIsAFunction(LLVMGetCalledValue(call));
}

bool is_debug_intrinsic(LLVMValueRef inst) {
  if (LLVMGetInstructionOpcode(inst) != LLVMCall) return false;
  LLVMValueRef callee = direct_callee(inst);
  if (!callee) return false;
  size_t len;
  const char *name = LLVMGetValueName2(callee, &len);
  return len > 9 && memcmp(name, "llvm.dbg.", 9) == 0;
}

/* ---- constant GEP offsets ------------------------------------------------ */

static LLVMTypeRef gep_stepped_type(LLVMTypeRef ty, uint64_t index) {
  return LLVMGetTypeKind(ty) == LLVMStructTypeKind
             ? LLVMStructGetTypeAtIndex(ty, (unsigned)index)
             : LLVMGetElementType(ty);
}

/* The byte offset a GEP with only constant indices adds, as mergefunc's
 * cmpGEPs computes it; false when an index is not a constant integer or a
 * step has no fixed size. */
static bool gep_constant_offset(load_ctx *c, LLVMValueRef gep,
                                uint64_t *offset) {
  LLVMTypeRef ty = LLVMGetGEPSourceElementType(gep);
  unsigned n = (unsigned)LLVMGetNumOperands(gep);
  uint64_t total = 0;
  for (unsigned i = 1; i < n; i++) {
    LLVMValueRef index = LLVMGetOperand(gep, i);
    LLVMTypeRef index_ty = LLVMTypeOf(index);
    if (!LLVMIsAConstantInt(index) ||
        LLVMGetTypeKind(index_ty) != LLVMIntegerTypeKind ||
        LLVMGetIntTypeWidth(index_ty) > 64)
      return false;
    uint64_t k = (uint64_t)LLVMConstIntGetSExtValue(index);
    LLVMTypeKind kind = LLVMGetTypeKind(ty);
    if (i == 1) {
      if (kind == LLVMScalableVectorTypeKind) return false;
      total += k * LLVMABISizeOfType(c->layout, ty);
    } else if (kind == LLVMStructTypeKind) {
      total += LLVMOffsetOfElement(c->layout, ty, (unsigned)k);
    } else if (kind == LLVMArrayTypeKind) {
      total += k * LLVMABISizeOfType(c->layout, LLVMGetElementType(ty));
    } else if (kind == LLVMVectorTypeKind) {
      total += k * LLVMStoreSizeOfType(c->layout, LLVMGetElementType(ty));
    } else {
      return false;
    }
    if (i > 1) ty = gep_stepped_type(ty, k);
  }
  unsigned bits =
      8 * LLVMPointerSizeForAS(c->layout, LLVMGetPointerAddressSpace(LLVMTypeOf(
                                              LLVMGetOperand(gep, 0))));
  *offset = bits < 64 ? total & ((UINT64_C(1) << bits) - 1) : total;
  return true;
}

/* A GEP whose indices are all constant is tokenised as pointer plus
 * offset, leaving its index list out: mergefunc compares such GEPs by the
 * byte offset alone, so `gep %struct.S, p, 0, 1` and `gep i8, p, 4` must
 * be able to be identical. */
bool is_offset_gep(load_ctx *c, LLVMValueRef inst, LLVMOpcode op,
                   uint64_t *offset) {
  return op == LLVMGetElementPtr && gep_constant_offset(c, inst, offset);
}

/* ---- globals and constants ----------------------------------------------- */

static void number_unnamed(load_ctx *c, LLVMValueRef g, uint64_t *ordinal) {
  size_t len;
  LLVMGetValueName2(g, &len);
  if (len == 0 && !ptr_map_put(&c->unnamed_globals, g, (*ordinal)++))
    c->out_of_memory = true;
}

/* Unnamed globals are told apart by ordinal, counted in the order the IR
 * printer counts @0, @1, ... */
static void number_unnamed_globals(load_ctx *c) {
  uint64_t ordinal = 0;
  for (LLVMValueRef g = LLVMGetFirstGlobal(c->module); g;
       g = LLVMGetNextGlobal(g))
    number_unnamed(c, g, &ordinal);
  for (LLVMValueRef g = LLVMGetFirstGlobalAlias(c->module); g;
       g = LLVMGetNextGlobalAlias(g))
    number_unnamed(c, g, &ordinal);
  for (LLVMValueRef g = LLVMGetFirstGlobalIFunc(c->module); g;
       g = LLVMGetNextGlobalIFunc(g))
    number_unnamed(c, g, &ordinal);
  for (LLVMValueRef g = LLVMGetFirstFunction(c->module); g;
       g = LLVMGetNextFunction(g))
    number_unnamed(c, g, &ordinal);
  c->unnamed_numbered = true;
}

/* mergefunc compares globals by identity; within a module, and for the
 * external symbols that link modules, the name is that identity. */
uint64_t global_identity(load_ctx *c, LLVMValueRef g) {
  size_t len;
  const char *name = LLVMGetValueName2(g, &len);
  if (len) return hash_bytes(TAG_GLOBAL, name, len);
  if (!c->unnamed_numbered) number_unnamed_globals(c);
  uint64_t ordinal = 0;
  ptr_map_get(&c->unnamed_globals, g, &ordinal);
  return as_hash_combine(TAG_UNNAMED_GLOBAL, ordinal);
}

/* A callee counts by class, as mergefunc redirects calls to the function
 * it keeps; so does an address that it replaces everywhere. id is its
 * callee_records entry. */
bool counts_by_class(load_ctx *c, LLVMValueRef v, bool is_callee,
                     uint64_t *id) {
  return (is_callee || LLVMIsAFunction(v)) &&
         ptr_map_get(&c->callee_records, v, id) &&
         (is_callee || (*id & ADDRESS_FREE));
}

bool is_local(LLVMValueRef v) {
  return LLVMIsAArgument(v) || LLVMIsAInstruction(v) ||
         LLVMValueIsBasicBlock(v);
}

/* mergefunc numbers a function's arguments, blocks and instructions in the
 * order it first meets them, and two functions match where the numbers do;
 * hashing these numbers in the same walk does the same. */
uint64_t serial_of(load_ctx *c, LLVMValueRef v) {
  uint64_t serial;
  if (!ptr_map_get(&c->serials, v, &serial)) {
    serial = c->next_serial++;
    if (!ptr_map_put(&c->serials, v, serial)) c->out_of_memory = true;
  }
  return as_hash_combine(TAG_SERIAL, serial);
}

/* Simple constants by value; everything rarer (wide integers, other float
 * formats, aggregates, constant expressions) by its printed form, which
 * names globals by identity exactly as needed. */
uint64_t constant_hash(load_ctx *c, LLVMValueRef k) {
  LLVMTypeRef ty = LLVMTypeOf(k);
  uint64_t h = as_hash_combine(TAG_CONSTANT, type_hash(c, ty));
  LLVMTypeKind kind = LLVMGetTypeKind(ty);
  if (LLVMIsAGlobalValue(k)) return as_hash_combine(h, global_identity(c, k));
  if (LLVMIsNull(k)) return as_hash_combine(h, TAG_NULL);
  if (LLVMIsPoison(k)) return as_hash_combine(h, TAG_POISON);
  if (LLVMIsUndef(k)) return as_hash_combine(h, TAG_UNDEF);
  if (LLVMIsAConstantInt(k) && kind == LLVMIntegerTypeKind &&
      LLVMGetIntTypeWidth(ty) <= 64)
    return as_hash_combine(as_hash_combine(h, TAG_INT),
                           LLVMConstIntGetZExtValue(k));
  if (LLVMIsAConstantFP(k) && kind == LLVMDoubleTypeKind) {
    LLVMBool loses_info;
    double value = LLVMConstRealGetDouble(k, &loses_info);
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    return as_hash_combine(as_hash_combine(h, TAG_DOUBLE), bits);
  }
  /* mergefunc matches a block address in the function itself by the
   * block's position, not its name. */
  if (LLVMIsABlockAddress(k) && LLVMGetBlockAddressFunction(k) == c->fn)
    return as_hash_combine(
        as_hash_combine(h, TAG_BLOCK_ADDRESS),
        serial_of(c, LLVMBasicBlockAsValue(LLVMGetBlockAddressBasicBlock(k))));
  return hash_printed(h, k);
}

/* As mergefunc's cmpMetadata: strings and constants by value, any other
 * metadata compares equal. */
static uint64_t md_operand_hash(load_ctx *c, LLVMValueRef v) {
  if (!v) return TAG_NULL;
  if (LLVMIsAConstant(v)) return constant_hash(c, v);
  if (LLVMIsAMDString(v)) {
    unsigned len;
    const char *s = LLVMGetMDString(v, &len);
    return hash_bytes(TAG_MD_STRING, s, len);
  }
  return TAG_MD_OTHER;
}

/* As mergefunc's cmpMDNode: operand count and each operand. */
uint64_t md_node_hash(load_ctx *c, LLVMValueRef node) {
  if (!node) return TAG_NULL;
  unsigned n = LLVMGetMDNodeNumOperands(node);
  uint64_t h = as_hash_combine(TAG_MD_NODE, n);
  LLVMValueRef *ops =
      reserve(c, c->md_operands, &c->md_operands_cap, n, sizeof *ops);
  if (!ops) return h;
  c->md_operands = ops;
  LLVMGetMDNodeOperands(node, ops);
  for (unsigned i = 0; i < n; i++)
    h = as_hash_combine(h, md_operand_hash(c, ops[i]));
  return h;
}

/* A metadata operand of a call (an intrinsic's argument). LLVM-C shows a
 * constant wrapped as metadata as a one-operand node. */
uint64_t md_argument_hash(load_ctx *c, LLVMValueRef v) {
  if (LLVMIsAMDNode(v) && LLVMGetMDNodeNumOperands(v) == 1) {
    LLVMValueRef inner;
    LLVMGetMDNodeOperands(v, &inner);
    if (inner && LLVMIsAConstant(inner)) return constant_hash(c, inner);
  }
  return md_operand_hash(c, v);
}

uint64_t inline_asm_hash(load_ctx *c, LLVMValueRef v) {
  size_t len;
  uint64_t h = as_hash_combine(TAG_INLINE_ASM,
                               type_hash(c, LLVMGetInlineAsmFunctionType(v)));
  const char *text = LLVMGetInlineAsmAsmString(v, &len);
  h = hash_bytes(h, text, len);
  text = LLVMGetInlineAsmConstraintString(v, &len);
  h = hash_bytes(h, text, len);
  h = as_hash_combine(h, (uint64_t)LLVMGetInlineAsmHasSideEffects(v));
  h = as_hash_combine(h, (uint64_t)LLVMGetInlineAsmNeedsAlignedStack(v));
  return as_hash_combine(h, LLVMGetInlineAsmDialect(v));
}

/* ---- attributes ---------------------------------------------------------- */

static uint64_t hash_attribute(load_ctx *c, uint64_t h, LLVMAttributeRef a) {
  if (LLVMIsStringAttribute(a)) {
    unsigned len;
    const char *s = LLVMGetStringAttributeKind(a, &len);
    h = hash_bytes(as_hash_combine(h, TAG_ATTRIBUTE), s, len);
    s = LLVMGetStringAttributeValue(a, &len);
    return hash_bytes(h, s, len);
  }
  h = as_hash_combine(h, LLVMGetEnumAttributeKind(a));
  if (LLVMIsTypeAttribute(a)) {
    LLVMTypeRef ty = LLVMGetTypeAttributeValue(a);
    return as_hash_combine(h, ty ? type_hash(c, ty) : 0);
  }
  if (LLVMIsEnumAttribute(a))
    return as_hash_combine(h, LLVMGetEnumAttributeValue(a));
  /* A constant range or a list of them: by its text, which LLVM-C cannot
   * read otherwise. */
  char *text = asp_attribute_text(a);
  if (!text) {
    c->out_of_memory = true;
    return h;
  }
  h = hash_cstring(h, text);
  free(text);
  return h;
}

/* Function, return and parameter attributes of a function or a call. */
uint64_t hash_attribute_list(load_ctx *c, uint64_t h, LLVMValueRef holder,
                             unsigned n_params, attribute_count_fn count_at,
                             attribute_get_fn get_at) {
  for (unsigned slot = 0; slot < n_params + 2; slot++) {
    LLVMAttributeIndex index =
        slot == 0 ? (LLVMAttributeIndex)LLVMAttributeFunctionIndex
                  : slot - 1 + LLVMAttributeReturnIndex;
    unsigned n = count_at(holder, index);
    h = as_hash_combine(h, n);
    if (n == 0) continue;
    LLVMAttributeRef *attrs =
        reserve(c, c->attrs, &c->attrs_cap, n, sizeof *attrs);
    if (!attrs) return h;
    c->attrs = attrs;
    get_at(holder, index, attrs);
    for (unsigned i = 0; i < n; i++) h = hash_attribute(c, h, attrs[i]);
  }
  return h;
}
