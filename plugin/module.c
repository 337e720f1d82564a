/* Module records: token streams, exact hashes and identity classes.
 *
 * The exact hash and the identity classes follow mergefunc's
 * FunctionComparator (llvm/lib/Transforms/Utils/FunctionComparator.cpp):
 * whatever it compares is hashed, and whatever it ignores is left out, so
 * that "same class" means "opt -passes=mergefunc judges them equal" (it
 * then merges them wherever it can write a thunk or an alias). */
#include "module.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <llvm-c/DebugInfo.h>
#include <llvm-c/Target.h>

#include "attribute_text.h"
#include "hash.h"
#include "ptrmap.h"

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

/* ---- load state ---------------------------------------------------------- */

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
  ptr_map blocks;  /* its blocks -> index in layout order */
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

static void load_ctx_init(load_ctx *c, LLVMModuleRef m) {
  *c = (load_ctx){.module = m, .llvm = LLVMGetModuleContext(m)};
  c->layout = LLVMGetModuleDataLayout(m);
  c->pointer_bits = 8 * LLVMPointerSize(c->layout);
  c->range_md_kind = LLVMGetMDKindIDInContext(c->llvm, "range", 5);
  c->dbg_md_kind = LLVMGetMDKindIDInContext(c->llvm, "dbg", 3);
}

static void load_ctx_free(load_ctx *c) {
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

/* Returns buf with room for n elements, or NULL (recorded) when it cannot
 * grow; the caller stores the result back. */
static void *reserve(load_ctx *c, void *buf, size_t *cap, size_t n,
                     size_t elem_size) {
  if (n <= *cap)
    return buf;
  size_t new_cap = *cap ? *cap : 16;
  while (new_cap < n)
    new_cap *= 2;
  void *grown = realloc(buf, new_cap * elem_size);
  if (!grown) {
    c->out_of_memory = true;
    return NULL;
  }
  *cap = new_cap;
  return grown;
}

/* ---- hashing primitives -------------------------------------------------- */

static uint64_t hash_bytes(uint64_t h, const char *data, size_t len) {
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

static uint64_t hash_cstring(uint64_t h, const char *s) {
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

static uint64_t type_hash(load_ctx *c, LLVMTypeRef ty);

static uint64_t function_type_hash(load_ctx *c, uint64_t h, LLVMTypeRef ty) {
  unsigned n = LLVMCountParamTypes(ty);
  h = as_hash_combine(h, n);
  h = as_hash_combine(h, (uint64_t)LLVMIsFunctionVarArg(ty));
  h = as_hash_combine(h, type_hash(c, LLVMGetReturnType(ty)));
  if (n == 0)
    return h;
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
static uint64_t type_hash(load_ctx *c, LLVMTypeRef ty) {
  uint64_t h;
  if (ptr_map_get(&c->type_hashes, ty, &h))
    return h;
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
  case LLVMFunctionTypeKind:
    h = function_type_hash(c, h, ty);
    break;
  case LLVMTargetExtTypeKind:
    h = hash_cstring(h, LLVMGetTargetExtTypeName(ty));
    break;
  default:
    break;
  }
  /* A full cache only costs time, so a failed insert is not an error. */
  ptr_map_put(&c->type_hashes, ty, h);
  return h;
}

/* ---- tokens -------------------------------------------------------------- */

static bool is_call(LLVMOpcode op) {
  return op == LLVMCall || op == LLVMInvoke || op == LLVMCallBr;
}

static LLVMValueRef direct_callee(LLVMValueRef call) {
  return LLVMIsAFunction(LLVMGetCalledValue(call));
}

static bool is_debug_intrinsic(LLVMValueRef inst) {
  if (LLVMGetInstructionOpcode(inst) != LLVMCall)
    return false;
  LLVMValueRef callee = direct_callee(inst);
  if (!callee)
    return false;
  size_t len;
  const char *name = LLVMGetValueName2(callee, &len);
  return len > 9 && memcmp(name, "llvm.dbg.", 9) == 0;
}

static enum hash_tag operand_kind(LLVMValueRef v) {
  if (LLVMIsAArgument(v))
    return TAG_ARGUMENT;
  if (LLVMValueIsBasicBlock(v))
    return TAG_BLOCK;
  if (LLVMIsAInstruction(v))
    return TAG_INSTRUCTION;
  if (LLVMIsAGlobalValue(v))
    return TAG_GLOBAL;
  if (LLVMIsAConstant(v))
    return TAG_CONSTANT;
  return TAG_OTHER;
}

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
      if (kind == LLVMScalableVectorTypeKind)
        return false;
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
    if (i > 1)
      ty = gep_stepped_type(ty, k);
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
static bool is_offset_gep(load_ctx *c, LLVMValueRef inst, LLVMOpcode op,
                          uint64_t *offset) {
  return op == LLVMGetElementPtr && gep_constant_offset(c, inst, offset);
}

/* A callee counts by class, as mergefunc redirects calls to the function
 * it keeps; so does an address that it replaces everywhere. id is its
 * callee_records entry. */
static bool counts_by_class(load_ctx *c, LLVMValueRef v, bool is_callee,
                            uint64_t *id) {
  return (is_callee || LLVMIsAFunction(v)) &&
         ptr_map_get(&c->callee_records, v, id) &&
         (is_callee || (*id & ADDRESS_FREE));
}

/* Collects, in layout order, the operands that hash_operand counts by
 * class (a function using itself is not one): the callees of a function
 * are known without its local hash, which is computed only for the
 * functions that another one might equal (asp_module_load). */
static void note_callee(load_ctx *c, LLVMValueRef v, bool is_callee) {
  uint64_t id;
  if (v == c->fn || !counts_by_class(c, v, is_callee, &id))
    return;
  uint32_t *callees = reserve(c, c->callees, &c->callees_cap,
                              c->n_callees + 1, sizeof *callees);
  if (callees) {
    c->callees = callees;
    callees[c->n_callees++] = (uint32_t)id;
  }
}

/* Only a global can count by class, so only a global is looked up. */
static uint64_t hash_operand_shape(load_ctx *c, uint64_t h, LLVMValueRef v,
                                   bool is_callee) {
  enum hash_tag kind = operand_kind(v);
  if (kind == TAG_GLOBAL)
    note_callee(c, v, is_callee);
  h = as_hash_combine(h, kind);
  return as_hash_combine(h, type_hash(c, LLVMTypeOf(v)));
}

/* The token of inst; its operands that count by class go to c->callees
 * (none without callee_records, as for asp_instruction_token). An offset
 * GEP's other operands are integers, so operand 0 is all it can name, as
 * in instruction_local_hash. */
static uint64_t instruction_token64(load_ctx *c, LLVMValueRef inst) {
  LLVMOpcode op = LLVMGetInstructionOpcode(inst);
  uint64_t h = as_hash_combine(TAG_TOKEN, op);
  h = as_hash_combine(h, type_hash(c, LLVMTypeOf(inst)));
  uint64_t offset;
  if (is_offset_gep(c, inst, op, &offset))
    return as_hash_combine(
        hash_operand_shape(c, h, LLVMGetOperand(inst, 0), false),
        TAG_CONSTANT_OFFSET);
  int n = LLVMGetNumOperands(inst);
  h = as_hash_combine(h, (uint64_t)n);
  /* The called operand of a call is its last. */
  int callee = is_call(op) ? n - 1 : n;
  for (int i = 0; i < n; i++)
    h = hash_operand_shape(c, h, LLVMGetOperand(inst, (unsigned)i),
                           i == callee);
  if (op == LLVMICmp)
    h = as_hash_combine(h, LLVMGetICmpPredicate(inst));
  else if (op == LLVMFCmp)
    h = as_hash_combine(h, LLVMGetFCmpPredicate(inst));
  else if (is_call(op)) {
    LLVMValueRef callee = direct_callee(inst);
    h = as_hash_combine(h, callee ? LLVMGetIntrinsicID(callee) : 0);
  }
  return h;
}

static LLVMModuleRef module_of(LLVMValueRef inst) {
  return LLVMGetGlobalParent(
      LLVMGetBasicBlockParent(LLVMGetInstructionParent(inst)));
}

uint32_t asp_instruction_token(LLVMValueRef inst) {
  load_ctx c;
  load_ctx_init(&c, module_of(inst));
  uint32_t token = as_hash_fold32(instruction_token64(&c, inst));
  load_ctx_free(&c);
  return token;
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
static uint64_t global_identity(load_ctx *c, LLVMValueRef g) {
  size_t len;
  const char *name = LLVMGetValueName2(g, &len);
  if (len)
    return hash_bytes(TAG_GLOBAL, name, len);
  if (!c->unnamed_numbered)
    number_unnamed_globals(c);
  uint64_t ordinal = 0;
  ptr_map_get(&c->unnamed_globals, g, &ordinal);
  return as_hash_combine(TAG_UNNAMED_GLOBAL, ordinal);
}

static bool is_local(LLVMValueRef v) {
  return LLVMIsAArgument(v) || LLVMIsAInstruction(v) ||
         LLVMValueIsBasicBlock(v);
}

/* mergefunc numbers a function's arguments, blocks and instructions in the
 * order it first meets them, and two functions match where the numbers do;
 * hashing these numbers in the same walk does the same. */
static uint64_t serial_of(load_ctx *c, LLVMValueRef v) {
  uint64_t serial;
  if (!ptr_map_get(&c->serials, v, &serial)) {
    serial = c->next_serial++;
    if (!ptr_map_put(&c->serials, v, serial))
      c->out_of_memory = true;
  }
  return as_hash_combine(TAG_SERIAL, serial);
}

/* Simple constants by value; everything rarer (wide integers, other float
 * formats, aggregates, constant expressions) by its printed form, which
 * names globals by identity exactly as needed. */
static uint64_t constant_hash(load_ctx *c, LLVMValueRef k) {
  LLVMTypeRef ty = LLVMTypeOf(k);
  uint64_t h = as_hash_combine(TAG_CONSTANT, type_hash(c, ty));
  LLVMTypeKind kind = LLVMGetTypeKind(ty);
  if (LLVMIsAGlobalValue(k))
    return as_hash_combine(h, global_identity(c, k));
  if (LLVMIsNull(k))
    return as_hash_combine(h, TAG_NULL);
  if (LLVMIsPoison(k))
    return as_hash_combine(h, TAG_POISON);
  if (LLVMIsUndef(k))
    return as_hash_combine(h, TAG_UNDEF);
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
  if (!v)
    return TAG_NULL;
  if (LLVMIsAConstant(v))
    return constant_hash(c, v);
  if (LLVMIsAMDString(v)) {
    unsigned len;
    const char *s = LLVMGetMDString(v, &len);
    return hash_bytes(TAG_MD_STRING, s, len);
  }
  return TAG_MD_OTHER;
}

/* As mergefunc's cmpMDNode: operand count and each operand. */
static uint64_t md_node_hash(load_ctx *c, LLVMValueRef node) {
  if (!node)
    return TAG_NULL;
  unsigned n = LLVMGetMDNodeNumOperands(node);
  uint64_t h = as_hash_combine(TAG_MD_NODE, n);
  LLVMValueRef *ops =
      reserve(c, c->md_operands, &c->md_operands_cap, n, sizeof *ops);
  if (!ops)
    return h;
  c->md_operands = ops;
  LLVMGetMDNodeOperands(node, ops);
  for (unsigned i = 0; i < n; i++)
    h = as_hash_combine(h, md_operand_hash(c, ops[i]));
  return h;
}

/* A metadata operand of a call (an intrinsic's argument). LLVM-C shows a
 * constant wrapped as metadata as a one-operand node. */
static uint64_t md_argument_hash(load_ctx *c, LLVMValueRef v) {
  if (LLVMIsAMDNode(v) && LLVMGetMDNodeNumOperands(v) == 1) {
    LLVMValueRef inner;
    LLVMGetMDNodeOperands(v, &inner);
    if (inner && LLVMIsAConstant(inner))
      return constant_hash(c, inner);
  }
  return md_operand_hash(c, v);
}

static uint64_t inline_asm_hash(load_ctx *c, LLVMValueRef v) {
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

typedef unsigned (*attribute_count_fn)(LLVMValueRef, LLVMAttributeIndex);
typedef void (*attribute_get_fn)(LLVMValueRef, LLVMAttributeIndex,
                                 LLVMAttributeRef *);

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
static uint64_t hash_attribute_list(load_ctx *c, uint64_t h,
                                    LLVMValueRef holder, unsigned n_params,
                                    attribute_count_fn count_at,
                                    attribute_get_fn get_at) {
  for (unsigned slot = 0; slot < n_params + 2; slot++) {
    LLVMAttributeIndex index =
        slot == 0 ? (LLVMAttributeIndex)LLVMAttributeFunctionIndex
                  : slot - 1 + LLVMAttributeReturnIndex;
    unsigned n = count_at(holder, index);
    h = as_hash_combine(h, n);
    if (n == 0)
      continue;
    LLVMAttributeRef *attrs =
        reserve(c, c->attrs, &c->attrs_cap, n, sizeof *attrs);
    if (!attrs)
      return h;
    c->attrs = attrs;
    get_at(holder, index, attrs);
    for (unsigned i = 0; i < n; i++)
      h = hash_attribute(c, h, attrs[i]);
  }
  return h;
}

/* ---- instructions -------------------------------------------------------- */

static uint64_t hash_operand(load_ctx *c, uint64_t h, LLVMValueRef v,
                             bool is_callee) {
  uint64_t id;
  /* mergefunc's self-reference rule: f using f matches g using g. */
  if (v == c->fn)
    return as_hash_combine(h, TAG_SELF);
  if (is_local(v))
    return as_hash_combine(h, serial_of(c, v));
  /* Which one is in the record's callees (note_callee). */
  if (counts_by_class(c, v, is_callee, &id))
    return as_hash_combine(h, TAG_CALLEE);
  if (LLVMIsAConstant(v))
    return as_hash_combine(h, constant_hash(c, v));
  if (LLVMIsAInlineAsm(v))
    return as_hash_combine(h, inline_asm_hash(c, v));
  return as_hash_combine(h, md_argument_hash(c, v));
}

static uint64_t hash_memory_order(uint64_t h, LLVMValueRef inst) {
  h = as_hash_combine(h, LLVMGetOrdering(inst));
  return as_hash_combine(h, (uint64_t)LLVMIsAtomicSingleThread(inst));
}

static uint64_t hash_load_store(uint64_t h, LLVMValueRef inst) {
  h = as_hash_combine(h, (uint64_t)LLVMGetVolatile(inst));
  h = as_hash_combine(h, LLVMGetAlignment(inst));
  return hash_memory_order(h, inst);
}

/* As mergefunc's cmpInstMetadata. Despite its name, LLVM-C 19's
 * LLVMInstructionGetAllMetadataOtherThanDebugLoc also returns !dbg, so that
 * kind is skipped here. */
static uint64_t hash_instruction_metadata(load_ctx *c, uint64_t h,
                                          LLVMValueRef inst) {
  size_t n;
  LLVMValueMetadataEntry *entries =
      LLVMInstructionGetAllMetadataOtherThanDebugLoc(inst, &n);
  for (unsigned i = 0; i < n; i++) {
    unsigned kind = LLVMValueMetadataEntriesGetKind(entries, i);
    if (kind == c->dbg_md_kind)
      continue;
    h = as_hash_combine(h, kind);
    LLVMValueRef node = LLVMMetadataAsValue(
        c->llvm, LLVMValueMetadataEntriesGetMetadata(entries, i));
    h = as_hash_combine(h, md_node_hash(c, node));
  }
  LLVMDisposeValueMetadataEntries(entries);
  return h;
}

static uint64_t hash_call_state(load_ctx *c, uint64_t h, LLVMValueRef call,
                                LLVMOpcode op) {
  h = as_hash_combine(h, LLVMGetInstructionCallConv(call));
  h = hash_attribute_list(c, h, call, LLVMGetNumArgOperands(call),
                          LLVMGetCallSiteAttributeCount,
                          LLVMGetCallSiteAttributes);
  unsigned n_bundles = LLVMGetNumOperandBundles(call);
  h = as_hash_combine(h, n_bundles);
  for (unsigned i = 0; i < n_bundles; i++) {
    LLVMOperandBundleRef bundle = LLVMGetOperandBundleAtIndex(call, i);
    size_t len;
    const char *tag = LLVMGetOperandBundleTag(bundle, &len);
    h = hash_bytes(h, tag, len);
    h = as_hash_combine(h, LLVMGetNumOperandBundleArgs(bundle));
    LLVMDisposeOperandBundle(bundle);
  }
  if (op == LLVMCall)
    h = as_hash_combine(h, LLVMGetTailCallKind(call));
  return as_hash_combine(
      h, md_node_hash(c, LLVMGetMetadata(call, c->range_md_kind)));
}

static uint64_t hash_indices(uint64_t h, LLVMValueRef inst) {
  unsigned n = LLVMGetNumIndices(inst);
  const unsigned *indices = LLVMGetIndices(inst);
  h = as_hash_combine(h, n);
  for (unsigned i = 0; i < n; i++)
    h = as_hash_combine(h, indices[i]);
  return h;
}

/* What mergefunc's cmpOperations compares beyond opcode, types and
 * operands: the optional flags and each instruction's own fields. */
static uint64_t hash_instruction_state(load_ctx *c, uint64_t h,
                                       LLVMValueRef inst, LLVMOpcode op) {
  if (LLVMCanValueUseFastMathFlags(inst))
    h = as_hash_combine(h, LLVMGetFastMathFlags(inst));
  switch (op) {
  case LLVMAdd:
  case LLVMSub:
  case LLVMMul:
  case LLVMShl:
  case LLVMTrunc:
    h = as_hash_combine(h, (uint64_t)LLVMGetNUW(inst));
    return as_hash_combine(h, (uint64_t)LLVMGetNSW(inst));
  case LLVMUDiv:
  case LLVMSDiv:
  case LLVMLShr:
  case LLVMAShr:
    return as_hash_combine(h, (uint64_t)LLVMGetExact(inst));
  case LLVMOr:
    return as_hash_combine(h, (uint64_t)LLVMGetIsDisjoint(inst));
  case LLVMZExt:
  case LLVMUIToFP:
    return as_hash_combine(h, (uint64_t)LLVMGetNNeg(inst));
  case LLVMAlloca:
    h = as_hash_combine(h, type_hash(c, LLVMGetAllocatedType(inst)));
    return as_hash_combine(h, LLVMGetAlignment(inst));
  case LLVMLoad:
    return hash_instruction_metadata(c, hash_load_store(h, inst), inst);
  case LLVMStore:
    return hash_load_store(h, inst);
  case LLVMCall:
  case LLVMInvoke:
  case LLVMCallBr:
    return hash_call_state(c, h, inst, op);
  case LLVMExtractValue:
  case LLVMInsertValue:
    return hash_indices(h, inst);
  case LLVMFence:
    return hash_memory_order(h, inst);
  case LLVMAtomicCmpXchg:
    h = as_hash_combine(h, (uint64_t)LLVMGetVolatile(inst));
    h = as_hash_combine(h, (uint64_t)LLVMGetWeak(inst));
    h = as_hash_combine(h, LLVMGetCmpXchgSuccessOrdering(inst));
    h = as_hash_combine(h, LLVMGetCmpXchgFailureOrdering(inst));
    return as_hash_combine(h, (uint64_t)LLVMIsAtomicSingleThread(inst));
  case LLVMAtomicRMW:
    h = as_hash_combine(h, LLVMGetAtomicRMWBinOp(inst));
    h = as_hash_combine(h, (uint64_t)LLVMGetVolatile(inst));
    return hash_memory_order(h, inst);
  case LLVMShuffleVector: {
    unsigned n = LLVMGetNumMaskElements(inst);
    for (unsigned i = 0; i < n; i++)
      h = as_hash_combine(h, (uint64_t)(int64_t)LLVMGetMaskValue(inst, i));
    return h;
  }
  case LLVMPHI: {
    unsigned n = LLVMCountIncoming(inst);
    for (unsigned i = 0; i < n; i++)
      h = as_hash_combine(h, serial_of(c, LLVMBasicBlockAsValue(
                                              LLVMGetIncomingBlock(inst, i))));
    return h;
  }
  default:
    return h;
  }
}

static uint64_t instruction_local_hash(load_ctx *c, LLVMValueRef inst,
                                       uint64_t token) {
  LLVMOpcode op = LLVMGetInstructionOpcode(inst);
  uint64_t h =
      as_hash_combine(as_hash_combine(TAG_LOCAL, token), serial_of(c, inst));
  h = hash_instruction_state(c, h, inst, op);
  uint64_t offset;
  if (is_offset_gep(c, inst, op, &offset))
    return hash_operand(c, as_hash_combine(h, offset), LLVMGetOperand(inst, 0),
                        false);
  /* mergefunc ignores a GEP's flags (inbounds) but not its source type. */
  if (op == LLVMGetElementPtr)
    h = as_hash_combine(h, type_hash(c, LLVMGetGEPSourceElementType(inst)));
  unsigned n = (unsigned)LLVMGetNumOperands(inst);
  /* The called operand of a call is its last. */
  unsigned callee = is_call(op) ? n - 1 : n;
  for (unsigned i = 0; i < n; i++)
    h = hash_operand(c, h, LLVMGetOperand(inst, i), i == callee);
  return h;
}

/* ---- functions ----------------------------------------------------------- */

static bool is_local_linkage(LLVMLinkage linkage) {
  return linkage == LLVMInternalLinkage || linkage == LLVMPrivateLinkage;
}

/* A weak or linkonce body may be replaced at link time, and so may one that
 * is not dso_local under semantic interposition (GlobalValue::isInterposable),
 * so mergefunc never redirects its callers: callers compare such a callee by
 * name. */
static bool is_interposable(load_ctx *c, LLVMValueRef fn) {
  uint64_t unused;
  LLVMLinkage linkage = LLVMGetLinkage(fn);
  return linkage == LLVMWeakAnyLinkage || linkage == LLVMLinkOnceAnyLinkage ||
         ptr_map_get(&c->preemptible, fn, &unused);
}

static bool has_body(LLVMValueRef fn) {
  return !LLVMIsDeclaration(fn) &&
         LLVMGetLinkage(fn) != LLVMAvailableExternallyLinkage;
}

/* Module::getSemanticInterposition: an integer module flag. */
static bool has_semantic_interposition(load_ctx *c) {
  static const char key[] = "SemanticInterposition";
  LLVMMetadataRef flag = LLVMGetModuleFlag(c->module, key, sizeof key - 1);
  if (!flag)
    return false;
  LLVMValueRef v = LLVMMetadataAsValue(c->llvm, flag), k = NULL;
  if (LLVMIsAMDNode(v) && LLVMGetMDNodeNumOperands(v) == 1)
    LLVMGetMDNodeOperands(v, &k);
  return k && LLVMIsAConstantInt(k) && LLVMConstIntGetZExtValue(k) != 0;
}

static bool has_text(const char *begin, const char *end, const char *needle) {
  size_t len = strlen(needle);
  for (const char *p = begin; p + len <= end; p++)
    if (memcmp(p, needle, len) == 0)
      return true;
  return false;
}

/* Fills c->preemptible. LLVM-C cannot read dso_local, but the printer
 * writes it on a function's header line unless local linkage or a hidden or
 * protected visibility implies it, and it prints the functions in module
 * order. The module is printed once, and only under the flag, which is
 * rare. */
static void find_preemptible(load_ctx *c) {
  char *text = LLVMPrintModuleToString(c->module);
  const char *line = text;
  for (LLVMValueRef fn = LLVMGetFirstFunction(c->module); fn && line;
       fn = LLVMGetNextFunction(fn)) {
    while (line && strncmp(line, "define ", 7) != 0 &&
           strncmp(line, "declare ", 8) != 0) {
      line = strchr(line, '\n');
      line = line ? line + 1 : NULL;
    }
    if (!line)
      break;
    const char *name = strstr(line, " @");
    bool dso_local = has_text(line, name ? name : line, " dso_local ") ||
                     is_local_linkage(LLVMGetLinkage(fn)) ||
                     LLVMGetVisibility(fn) != LLVMDefaultVisibility;
    if (!dso_local && !ptr_map_put(&c->preemptible, fn, 1))
      c->out_of_memory = true;
    line = strchr(line, '\n');
    line = line ? line + 1 : NULL;
  }
  LLVMDisposeMessage(text);
}

/* collectUsedGlobalVariables: mergefunc never replaces every use of these
 * (code it cannot see, such as inline asm, may name them). */
static void collect_used(load_ctx *c, const char *name) {
  LLVMValueRef list = LLVMGetNamedGlobal(c->module, name);
  LLVMValueRef init = list ? LLVMGetInitializer(list) : NULL;
  if (!init || !LLVMIsAConstantArray(init))
    return;
  int n = LLVMGetNumOperands(init);
  for (int i = 0; i < n; i++) {
    LLVMValueRef v = LLVMGetOperand(init, (unsigned)i);
    while (LLVMIsAConstantExpr(v) && (LLVMGetConstOpcode(v) == LLVMBitCast ||
                                      LLVMGetConstOpcode(v) == LLVMAddrSpaceCast))
      v = LLVMGetOperand(v, 0);
    if (LLVMIsAFunction(v) && !ptr_map_put(&c->used, v, 1))
      c->out_of_memory = true;
  }
}

static void prepare_module(load_ctx *c) {
  collect_used(c, "llvm.used");
  collect_used(c, "llvm.compiler.used");
  if (has_semantic_interposition(c))
    find_preemptible(c);
}

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

static use_kind classify_uses(LLVMValueRef fn) {
  use_kind kind = USES_NONE;
  for (LLVMUseRef u = LLVMGetFirstUse(fn); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (!LLVMIsAInstruction(user) ||
        !is_call(LLVMGetInstructionOpcode(user)) ||
        LLVMGetCalledValue(user) != fn)
      return USES_OTHER;
    /* Passed to a call of itself: a use that is not the callee. */
    unsigned n = (unsigned)LLVMGetNumOperands(user);
    for (unsigned i = 0; i + 1 < n; i++)
      if (LLVMGetOperand(user, i) == fn)
        return USES_OTHER;
    kind = USES_CALLS_ONLY;
  }
  return kind;
}

static void describe_merge_traits(load_ctx *c, LLVMValueRef fn,
                                  merge_traits *t) {
  uint64_t unused;
  LLVMLinkage linkage = LLVMGetLinkage(fn);
  t->eligible = true;
  t->interposable = is_interposable(c, fn);
  t->local = is_local_linkage(linkage);
  t->discardable = t->local || linkage == LLVMLinkOnceAnyLinkage ||
                   linkage == LLVMLinkOnceODRLinkage;
  t->address_free = LLVMGetUnnamedAddress(fn) == LLVMGlobalUnnamedAddr &&
                    !ptr_map_get(&c->used, fn, &unused);
  t->uses = classify_uses(fn);
}

/* LLVM-C cannot ask a node whether it is distinct. A uniqued tuple is the
 * only tuple with its operands, so asking the context for a tuple with the
 * same operands gives it back, and gives another one for a distinct tuple
 * (possibly adding that uniqued tuple to the context; the module never
 * refers to it). Other nodes are debug info, which intrinsics other than
 * the debug ones hardly ever take: their printed form says it. */
static bool tuple_is_distinct(load_ctx *c, LLVMValueRef v, LLVMMetadataRef md) {
  unsigned n = LLVMGetMDNodeNumOperands(v);
  if (n == 0)
    return LLVMMDNodeInContext2(c->llvm, NULL, 0) != md;
  LLVMValueRef *ops =
      reserve(c, c->md_operands, &c->md_operands_cap, n, sizeof *ops);
  LLVMMetadataRef *mds = malloc(n * sizeof *mds);
  if (!ops || !mds) {
    c->out_of_memory = true;
    free(mds);
    return false;
  }
  c->md_operands = ops;
  LLVMGetMDNodeOperands(v, ops);
  for (unsigned i = 0; i < n; i++)
    mds[i] = ops[i] ? LLVMValueAsMetadata(ops[i]) : NULL;
  bool distinct = LLVMMDNodeInContext2(c->llvm, mds, n) != md;
  free(mds);
  return distinct;
}

/* "!7 = distinct !DI...(...)", or without the slot number. */
static bool printed_as_distinct(LLVMValueRef v) {
  char *text = LLVMPrintValueToString(v);
  const char *p = text;
  if (*p == '!') {
    size_t digits = strspn(p + 1, "0123456789");
    if (digits && strncmp(p + 1 + digits, " = ", 3) == 0)
      p += 1 + digits + 3;
  }
  bool distinct = strncmp(p, "distinct ", 9) == 0;
  LLVMDisposeMessage(text);
  return distinct;
}

static bool is_distinct_node(load_ctx *c, LLVMValueRef v) {
  LLVMMetadataRef md = LLVMValueAsMetadata(v);
  uint64_t distinct;
  if (ptr_map_get(&c->md_distinct, md, &distinct))
    return distinct != 0;
  switch (LLVMGetMetadataKind(md)) {
  case LLVMMDStringMetadataKind:
  case LLVMConstantAsMetadataMetadataKind:
  case LLVMLocalAsMetadataMetadataKind:
  case LLVMDistinctMDOperandPlaceholderMetadataKind:
  case LLVMDIArgListMetadataKind:
    distinct = 0; /* not nodes */
    break;
  case LLVMMDTupleMetadataKind:
    distinct = tuple_is_distinct(c, v, md);
    break;
  default:
    distinct = printed_as_distinct(v);
    break;
  }
  /* A full cache only costs time. */
  ptr_map_put(&c->md_distinct, md, distinct);
  return distinct != 0;
}

/* Function::isIntrinsic: any name in the reserved llvm. namespace. */
static bool is_intrinsic(LLVMValueRef fn) {
  size_t len;
  const char *name = LLVMGetValueName2(fn, &len);
  return len > 5 && memcmp(name, "llvm.", 5) == 0;
}

/* mergefunc's hasDistinctMetadataIntrinsic, for one instruction: a call of
 * an intrinsic with a distinct node among its operands (CFI's type tests
 * for function-local types) keeps the function out of merging. */
static bool uses_distinct_metadata(load_ctx *c, LLVMValueRef inst) {
  if (LLVMGetInstructionOpcode(inst) != LLVMCall)
    return false;
  LLVMValueRef callee = direct_callee(inst);
  if (!callee || !is_intrinsic(callee))
    return false;
  unsigned n = (unsigned)LLVMGetNumOperands(inst);
  for (unsigned i = 0; i < n; i++) {
    LLVMValueRef op = LLVMGetOperand(inst, i);
    if (LLVMIsAMDNode(op) && is_distinct_node(c, op))
      return true;
  }
  return false;
}

/* As mergefunc's compareSignature. */
static uint64_t signature_hash(load_ctx *c) {
  uint64_t h = hash_attribute_list(
      c, TAG_SIGNATURE, c->fn, LLVMCountParams(c->fn),
      LLVMGetAttributeCountAtIndex, LLVMGetAttributesAtIndex);
  h = hash_cstring(h, LLVMGetGC(c->fn));
  h = hash_cstring(h, LLVMGetSection(c->fn));
  h = as_hash_combine(h, LLVMGetFunctionCallConv(c->fn));
  return as_hash_combine(h, type_hash(c, LLVMGlobalGetValueType(c->fn)));
}

/* True when dir names the working directory, by getcwd() or by $PWD as
 * LLVM's current_path() prefers it (clang's debug directory comes from
 * there). */
static bool is_working_directory(const char *dir, size_t len) {
  char cwd[4096];
  const char *pwd = getenv("PWD");
  if (pwd && strlen(pwd) == len && memcmp(pwd, dir, len) == 0)
    return true;
  return getcwd(cwd, sizeof cwd) && strlen(cwd) == len &&
         memcmp(cwd, dir, len) == 0;
}

/* File and line from the DISubprogram. A relative file name keeps its
 * directory only when that is not where we run, so that a path reads as
 * clang's diagnostics print it: "src/a.c" under directory "/p" compiled in
 * /p/build is /p/src/a.c, while "a.c" under /p/build stays a.c. */
static void describe_location(asp_func *rec) {
  LLVMMetadataRef subprogram = LLVMGetSubprogram(rec->fn);
  if (!subprogram)
    return;
  rec->line = LLVMDISubprogramGetLine(subprogram);
  LLVMMetadataRef file = LLVMDIScopeGetFile(subprogram);
  if (file) {
    unsigned len, dir_len;
    rec->file = LLVMDIFileGetFilename(file, &len);
    rec->file_len = len;
    const char *dir = LLVMDIFileGetDirectory(file, &dir_len);
    if (len && rec->file[0] != '/' && dir_len &&
        !is_working_directory(dir, dir_len)) {
      rec->dir = dir;
      rec->dir_len = dir_len;
    }
  }
}

/* What assigning identity classes needs of a function besides its record;
 * kept only while they are assigned. */
typedef struct walk_record {
  uint64_t *tokens;   /* its 64-bit tokens in the order of the walk below */
  uint32_t n;
  uint64_t signature; /* signature_hash */
  uint64_t key;       /* the signature, the callee count and the tokens */
  bool shared;        /* another function has this key: local_hash is whole */
} walk_record;

/* Pushes block b unless the walk has met it already. */
static bool walk_reaches(load_ctx *c, uint32_t b, size_t *depth) {
  if (c->block_infos[b].reached)
    return true;
  uint32_t *stack =
      reserve(c, c->walk_stack, &c->walk_stack_cap, *depth + 1, sizeof *stack);
  if (!stack)
    return false;
  c->walk_stack = stack;
  c->block_infos[b].reached = true;
  stack[(*depth)++] = b;
  return true;
}

/* The n_blocks blocks of c->block_infos (c->blocks maps each to its index)
 * in mergefunc's order, into c->walk_order: depth first from the entry
 * block, successors in terminator order. So block layout does not matter
 * and unreachable blocks are left out, as in mergefunc. Returns how many
 * blocks it reaches. */
static size_t walk_blocks(load_ctx *c, size_t n_blocks) {
  uint32_t *order = reserve(c, c->walk_order, &c->walk_order_cap, n_blocks,
                            sizeof *order);
  if (!order || n_blocks == 0)
    return 0;
  c->walk_order = order;
  for (size_t b = 0; b < n_blocks; b++)
    c->block_infos[b].reached = false;
  size_t depth = 0, n = 0;
  /* The entry block is the first in layout order. */
  if (!walk_reaches(c, 0, &depth))
    return 0;
  while (depth > 0) {
    uint32_t b = c->walk_stack[--depth];
    order[n++] = b;
    LLVMValueRef terminator =
        LLVMGetBasicBlockTerminator(c->block_infos[b].bb);
    unsigned n_successors = terminator ? LLVMGetNumSuccessors(terminator) : 0;
    for (unsigned i = 0; i < n_successors; i++) {
      uint64_t successor;
      if (!ptr_map_get(&c->blocks, LLVMGetSuccessor(terminator, i),
                       &successor) ||
          !walk_reaches(c, (uint32_t)successor, &depth))
        return n;
    }
  }
  return n;
}

/* Numbers the blocks of c->fn in layout order (c->blocks, c->block_infos);
 * returns how many it has. */
static size_t index_blocks(load_ctx *c) {
  ptr_map_clear(&c->blocks);
  size_t n_blocks = 0;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(c->fn); bb;
       bb = LLVMGetNextBasicBlock(bb)) {
    block_info *blocks = reserve(c, c->block_infos, &c->block_infos_cap,
                                 n_blocks + 2, sizeof *blocks);
    if (!blocks || !ptr_map_put(&c->blocks, bb, n_blocks)) {
      c->out_of_memory = true;
      return 0;
    }
    c->block_infos = blocks;
    blocks[n_blocks++] = (block_info){.bb = bb};
  }
  return n_blocks;
}

/* Hashes the body in the walk's order, for a function that another one
 * might equal (asp_module_load): its tokens are already in walk->tokens,
 * in the order the walk meets its instructions again here. */
static uint64_t hash_reachable_body(load_ctx *c, uint64_t h,
                                    const walk_record *walk) {
  size_t n_blocks = index_blocks(c);
  ptr_map_clear(&c->serials);
  c->next_serial = 0;
  unsigned n_params = LLVMCountParams(c->fn);
  for (unsigned i = 0; i < n_params; i++)
    serial_of(c, LLVMGetParam(c->fn, i));
  size_t n_reached = walk_blocks(c, n_blocks);
  uint32_t k = 0;
  for (size_t r = 0; r < n_reached; r++) {
    LLVMBasicBlockRef bb = c->block_infos[c->walk_order[r]].bb;
    h = as_hash_combine(h, serial_of(c, LLVMBasicBlockAsValue(bb)));
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst;
         inst = LLVMGetNextInstruction(inst)) {
      if (is_debug_intrinsic(inst))
        continue;
      uint64_t token = walk->tokens[k++];
      h = as_hash_combine(h, instruction_local_hash(c, inst, token));
    }
  }
  return h;
}

/* A heap copy of n scratch elements (one at least, as malloc(0) may be
 * NULL), or NULL (recorded) when memory runs out. */
static uint32_t *copy_scratch(load_ctx *c, const uint32_t *scratch, size_t n) {
  uint32_t *copy = malloc((n ? n : 1) * sizeof *copy);
  if (!copy) {
    c->out_of_memory = true;
    return NULL;
  }
  memcpy(copy, scratch, n * sizeof *copy);
  return copy;
}

/* canCreateThunkFor: a varargs function cannot forward its arguments, and
 * a thunk would be no smaller than a body of one block and one
 * instruction. */
static bool is_thunkable(LLVMValueRef fn, uint32_t n_insts) {
  return !LLVMIsFunctionVarArg(LLVMGlobalGetValueType(fn)) &&
         !(LLVMCountBasicBlocks(fn) == 1 && n_insts < 2);
}

/* Computes every instruction's token once, in layout order, into c->tokens,
 * and collects the callees in the same order into c->callees; each block
 * records where its own begin. Returns the number of blocks. */
static size_t tokenize_layout(load_ctx *c, asp_func *rec,
                              merge_traits *traits) {
  size_t n_blocks = index_blocks(c), n = 0;
  c->n_callees = 0;
  for (size_t b = 0; b < n_blocks; b++) {
    block_info *block = &c->block_infos[b];
    block->first_token = (uint32_t)n;
    block->first_callee = (uint32_t)c->n_callees;
    for (LLVMValueRef inst = LLVMGetFirstInstruction(block->bb); inst;
         inst = LLVMGetNextInstruction(inst)) {
      if (is_debug_intrinsic(inst))
        continue;
      /* Every block counts here, reachable or not, as in mergefunc. */
      if (traits->eligible && uses_distinct_metadata(c, inst))
        traits->eligible = false;
      uint64_t *tokens =
          reserve(c, c->tokens, &c->tokens_cap, n + 1, sizeof *tokens);
      if (!tokens)
        return 0;
      c->tokens = tokens;
      tokens[n++] = instruction_token64(c, inst);
    }
  }
  rec->n_insts = (uint32_t)n;
  if (n_blocks)
    c->block_infos[n_blocks] = (block_info){NULL, (uint32_t)n,
                                            (uint32_t)c->n_callees, false};
  return n_blocks;
}

/* Everything but the local hash: the tokens in layout order, and in the
 * walk's order the tokens (walk) and callees, which with the signature make
 * the key. Functions whose local data are equal have equal signatures,
 * callee counts and tokens in the walk's order, so equal keys: a function
 * whose key no other has is equal to none, and the rest of its local data
 * (operands, flags, attributes, metadata: most of the cost) is hashed only
 * where another function shares the key (hash_local_data). */
static void load_function(load_ctx *c, asp_func *rec, walk_record *walk,
                          merge_traits *traits) {
  c->fn = rec->fn;
  rec->name = LLVMGetValueName2(rec->fn, &rec->name_len);
  describe_location(rec);
  size_t n_blocks = tokenize_layout(c, rec, traits);
  if (c->out_of_memory)
    return;
  size_t n = rec->n_insts;
  traits->thunkable = is_thunkable(c->fn, rec->n_insts);
  size_t n_reached = walk_blocks(c, n_blocks);
  size_t n_callees = 0;
  for (size_t r = 0; r < n_reached; r++) {
    const block_info *block = &c->block_infos[c->walk_order[r]];
    n_callees += block[1].first_callee - block[0].first_callee;
  }
  rec->tokens = malloc((n ? n : 1) * sizeof *rec->tokens);
  /* The walk meets each instruction at most once. */
  walk->tokens = malloc((n ? n : 1) * sizeof *walk->tokens);
  if (n_callees)
    rec->callees = malloc(n_callees * sizeof *rec->callees);
  if (c->out_of_memory || !rec->tokens || !walk->tokens ||
      (n_callees && !rec->callees)) {
    c->out_of_memory = true;
    return;
  }
  for (size_t i = 0; i < n; i++)
    rec->tokens[i] = as_hash_fold32(c->tokens[i]);
  for (size_t r = 0; r < n_reached; r++) {
    const block_info *block = &c->block_infos[c->walk_order[r]];
    for (uint32_t k = block[0].first_token; k < block[1].first_token; k++)
      walk->tokens[walk->n++] = c->tokens[k];
    for (uint32_t k = block[0].first_callee; k < block[1].first_callee; k++)
      rec->callees[rec->n_callees++] = c->callees[k];
  }
  walk->signature = signature_hash(c);
  uint64_t key = as_hash_combine(TAG_KEY, walk->signature);
  key = as_hash_combine(key, rec->n_callees);
  key = as_hash_combine(key, walk->n);
  for (uint32_t k = 0; k < walk->n; k++)
    key = as_hash_combine(key, as_hash_fold32(walk->tokens[k]));
  walk->key = key;
  /* What local_hash stays where no other function has this key: nothing
   * is compared with it (settle_local_groups). hash_local_data replaces it
   * for the others. */
  rec->local_hash = key;
}

typedef struct keyed {
  uint64_t key;
  uint32_t index;
} keyed;

static int keyed_compare(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  if (x->key != y->key)
    return (x->key > y->key) - (x->key < y->key);
  return (x->index > y->index) - (x->index < y->index);
}

/* Sets shared where another of the n functions has the same key (equal
 * keys by chance only cost a local hash). Returns false when out of
 * memory. */
static bool mark_shared_keys(walk_record *walks, size_t n) {
  keyed *sorted = malloc((n ? n : 1) * sizeof *sorted);
  if (!sorted)
    return false;
  for (size_t i = 0; i < n; i++)
    sorted[i] = (keyed){walks[i].key, (uint32_t)i};
  qsort(sorted, n, sizeof *sorted, keyed_compare);
  for (size_t i = 0; i + 1 < n; i++)
    if (sorted[i].key == sorted[i + 1].key)
      walks[sorted[i].index].shared = walks[sorted[i + 1].index].shared = true;
  free(sorted);
  return true;
}

/* The local hash of a function that shares its key: everything except the
 * identity of direct callees, in mergefunc's order. */
static void hash_local_data(load_ctx *c, asp_func *rec,
                            const walk_record *walk) {
  c->fn = rec->fn;
  rec->local_hash = hash_reachable_body(c, walk->signature, walk);
}

/* ---- identity classes ----------------------------------------------------
 * Two functions are equal, as mergefunc judges them, when their local data
 * are equal and their direct callees are pairwise equal. mergefunc reaches
 * this by merging and then re-comparing the callers of what it merged, which
 * is the least fixed point: mutually recursive pairs (f1 -> f2 -> f1 and
 * g1 -> g2 -> g1) stay apart, unlike lld's ICF. So refinement starts from
 * every function in a class of its own and coarsens in rounds; the partition
 * only ever gets coarser and stops when the class count stops falling. A
 * class is named by its first member in module order.
 *
 * These call classes are what a call counts as: of two equal functions,
 * mergefunc redirects the calls of the one it does not keep to the other
 * (unless it may be replaced at link time, and then it is no callee here),
 * even where it cannot then remove that body. Identity classes are the call
 * classes split where it cannot (split_unmerged). */

typedef struct class_state {
  const asp_func *funcs;
  const walk_record *walks;
  const merge_traits *traits;
  uint32_t *local_group; /* first function with equal local data */
  uint32_t *klass;       /* current class */
  uint32_t *slots;       /* grouping table: function index or UINT32_MAX */
  size_t n_slots;        /* a power of two above twice the functions */
} class_state;

typedef uint64_t (*group_hash_fn)(const class_state *, uint32_t);
typedef bool (*group_equal_fn)(const class_state *, uint32_t, uint32_t);

static uint64_t local_data_hash(const class_state *s, uint32_t f) {
  return s->funcs[f].local_hash;
}

/* Equal tokens too, so that a collision of local hashes never merges. Only
 * functions that share their key are compared: the others' local_hash is
 * not whole. */
static bool local_data_equal(const class_state *s, uint32_t a, uint32_t b) {
  const walk_record *wa = &s->walks[a], *wb = &s->walks[b];
  if (s->funcs[a].local_hash != s->funcs[b].local_hash ||
      s->funcs[a].n_callees != s->funcs[b].n_callees || wa->n != wb->n)
    return false;
  for (uint32_t k = 0; k < wa->n; k++)
    if (as_hash_fold32(wa->tokens[k]) != as_hash_fold32(wb->tokens[k]))
      return false;
  return true;
}

static uint64_t callee_classes_hash(const class_state *s, uint32_t f) {
  const asp_func *fn = &s->funcs[f];
  uint64_t h = as_hash_combine(TAG_CALLEE, s->local_group[f]);
  for (uint32_t i = 0; i < fn->n_callees; i++)
    h = as_hash_combine(h, s->klass[fn->callees[i]]);
  return h;
}

static bool callee_classes_equal(const class_state *s, uint32_t a, uint32_t b) {
  if (s->local_group[a] != s->local_group[b])
    return false;
  const asp_func *fa = &s->funcs[a], *fb = &s->funcs[b];
  for (uint32_t i = 0; i < fa->n_callees; i++)
    if (s->klass[fa->callees[i]] != s->klass[fb->callees[i]])
      return false;
  return true;
}

/* Labels each member (given in module order) with the first member equal
 * to it; returns the number of groups. */
static size_t label_groups(const class_state *s, const uint32_t *members,
                           size_t n, group_hash_fn hash, group_equal_fn equal,
                           uint32_t *label) {
  size_t mask = s->n_slots - 1, groups = 0;
  memset(s->slots, 0xff, s->n_slots * sizeof *s->slots);
  for (size_t i = 0; i < n; i++) {
    uint32_t f = members[i];
    for (size_t k = (size_t)hash(s, f) & mask;; k = (k + 1) & mask) {
      if (s->slots[k] == UINT32_MAX) {
        s->slots[k] = f;
        label[f] = f;
        groups++;
        break;
      }
      if (equal(s, s->slots[k], f)) {
        label[f] = s->slots[k];
        break;
      }
    }
  }
  return groups;
}

/* Groups by local data and returns, in members, the functions that take
 * part in the rounds: those with callees. Functions without callees are
 * settled by their local data, and a function mergefunc does not admit
 * stays alone; so does one whose key no other function shares, which
 * nothing can equal. Such a group of one would be a class of its own in
 * every round too (callee_classes_equal needs one local group), so it
 * takes no part in them: that changes neither the other labels nor when
 * the class count stops falling. */
static size_t settle_local_groups(class_state *s, uint32_t *members,
                                  size_t n) {
  size_t n_grouped = 0;
  for (size_t i = 0; i < n; i++) {
    s->local_group[i] = (uint32_t)i;
    members[n_grouped] = (uint32_t)i;
    n_grouped += s->traits[i].eligible && s->walks[i].shared;
  }
  label_groups(s, members, n_grouped, local_data_hash, local_data_equal,
               s->local_group);
  size_t n_callers = 0;
  for (size_t i = 0; i < n; i++) {
    bool in_rounds = s->traits[i].eligible && s->walks[i].shared &&
                     s->funcs[i].n_callees > 0;
    s->klass[i] = in_rounds ? (uint32_t)i : s->local_group[i];
    if (in_rounds)
      members[n_callers++] = (uint32_t)i;
  }
  return n_callers;
}

static void refine(class_state *s, const uint32_t *members, size_t n_callers,
                   uint32_t *next, size_t n) {
  memcpy(next, s->klass, n * sizeof *next);
  for (size_t classes = n_callers;;) {
    size_t refined = label_groups(s, members, n_callers, callee_classes_hash,
                                  callee_classes_equal, next);
    memcpy(s->klass, next, n * sizeof *next);
    if (refined == classes)
      break;
    classes = refined;
  }
}

/* StringRef's order. */
static int name_compare(const asp_func *a, const asp_func *b) {
  size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
  int r = n ? memcmp(a->name, b->name, n) : 0;
  if (r)
    return r;
  return (a->name_len > b->name_len) - (a->name_len < b->name_len);
}

/* LLVM 19's isFuncOrderCorrect: of two equal functions mergefunc keeps the
 * one that cannot be replaced at link time, then the external one, then
 * the first by name. (Later versions rank ODR linkage first.) */
static bool keeps_first(const class_state *s, uint32_t f, uint32_t g) {
  const merge_traits *tf = &s->traits[f], *tg = &s->traits[g];
  if (tf->interposable != tg->interposable)
    return !tf->interposable;
  if (tf->local != tg->local)
    return !tf->local;
  return name_compare(&s->funcs[f], &s->funcs[g]) <= 0;
}

/* LLVM 19's mergeTwoFunctions(F, G), keeping f: whether g's body goes. Two
 * bodies that may be replaced at link time both become thunks of a shared
 * copy, if a thunk can be made (aliases are off by default). Otherwise g's
 * uses go to f, all of them where its address does not matter, else its
 * calls unless g may be replaced; g is then deleted if nothing uses it and
 * its linkage lets it go, else it becomes a thunk if one can be made, else
 * it stays. */
static bool merges_into(const merge_traits *t, uint32_t f, uint32_t g) {
  if (t[f].interposable)
    return t[f].thunkable;
  bool unused = t[g].interposable ? t[g].uses == USES_NONE
                                  : t[g].address_free || t[g].uses != USES_OTHER;
  return (t[g].discardable && unused) || t[f].thunkable;
}

static uint32_t find_root(uint32_t *root, uint32_t f) {
  while (root[f] != f)
    f = root[f] = root[root[f]];
  return f;
}

/* The smaller index names the joined tree. */
static void unite(uint32_t *root, uint32_t a, uint32_t b) {
  uint32_t ra = find_root(root, a), rb = find_root(root, b);
  if (ra < rb)
    root[rb] = ra;
  else
    root[ra] = rb;
}

/* Replays mergefunc's merges within each call class in module order (the
 * order it first meets them; callers that it re-compares after a merge may
 * meet in another order): each member meets the function kept so far, the
 * order decides which of the two stays, and root joins the two when the
 * other one's body goes. kept is indexed by class name. */
static void split_unmerged(const class_state *s, size_t n, uint32_t *kept,
                           uint32_t *root) {
  for (uint32_t i = 0; i < n; i++) {
    root[i] = i;
    uint32_t name = s->klass[i];
    if (name == i) {
      kept[i] = i;
      continue;
    }
    uint32_t f = kept[name], g = i;
    if (!keeps_first(s, f, g)) {
      f = i;
      g = kept[name];
      kept[name] = i;
    }
    if (merges_into(s->traits, f, g))
      unite(root, f, g);
  }
}

/* Dense ids in module order of each class's first member. */
static void number_classes(asp_module *mod, const class_state *s,
                           uint32_t *root, uint32_t *call_class) {
  uint32_t next_id = 0, next_call_id = 0;
  for (uint32_t i = 0; i < mod->n; i++) {
    uint32_t r = find_root(root, i);
    mod->funcs[i].klass = r == i ? next_id++ : mod->funcs[r].klass;
    call_class[i] =
        s->klass[i] == i ? next_call_id++ : call_class[s->klass[i]];
  }
}

/* Identity classes into mod, call classes into call_class. */
static int assign_classes(asp_module *mod, const walk_record *walks,
                          const merge_traits *traits, uint32_t *call_class) {
  if (mod->n == 0)
    return 0;
  size_t n = mod->n, n_slots = 2;
  while (n_slots < 2 * n)
    n_slots *= 2;
  uint32_t *members = malloc(n * sizeof *members);
  uint32_t *next = malloc(n * sizeof *next);
  class_state s = {mod->funcs,
                   walks,
                   traits,
                   malloc(n * sizeof *s.local_group),
                   malloc(n * sizeof *s.klass),
                   malloc(n_slots * sizeof *s.slots),
                   n_slots};
  int rc = -1;
  if (!members || !next || !s.local_group || !s.klass || !s.slots)
    goto out;
  size_t n_callers = settle_local_groups(&s, members, n);
  refine(&s, members, n_callers, next, n);
  /* members and next are scratch again. */
  split_unmerged(&s, n, next, members);
  number_classes(mod, &s, members, call_class);
  rc = 0;
out:
  free(members);
  free(next);
  free(s.local_group);
  free(s.klass);
  free(s.slots);
  return rc;
}

/* ---- what differs ----------------------------------------------------------
 * What the tokens leave out, per instruction and per function: the values
 * of constant operands and the identity of direct callees. */

typedef struct strict_env {
  const merge_traits *traits;
  const uint32_t *call_class;
} strict_env;

/* A callee that mergefunc may merge counts by its call class, so that
 * calls of two equal functions are the same call; any other by name. */
static uint64_t callee_identity(load_ctx *c, const strict_env *env,
                                LLVMValueRef callee) {
  uint64_t id;
  if (ptr_map_get(&c->callee_records, callee, &id) &&
      env->traits[(uint32_t)id].eligible)
    return as_hash_combine(TAG_CALLEE_CLASS, env->call_class[(uint32_t)id]);
  return global_identity(c, callee);
}

static void push_u64(load_ctx *c, uint64_t **buf, size_t *n, size_t *cap,
                     uint64_t v) {
  uint64_t *grown = reserve(c, *buf, cap, *n + 1, sizeof *grown);
  if (!grown)
    return;
  *buf = grown;
  grown[(*n)++] = v;
}

/* An alloca's element count is an operand that the printer leaves out when
 * it is 1, as it nearly always is: no constant that anyone wrote. */
static bool is_implicit_count(LLVMValueRef inst, LLVMOpcode op, unsigned i) {
  if (op != LLVMAlloca || i != 0)
    return false;
  LLVMValueRef k = LLVMGetOperand(inst, 0);
  return LLVMIsAConstantInt(k) && LLVMGetIntTypeWidth(LLVMTypeOf(k)) <= 64 &&
         LLVMConstIntGetZExtValue(k) == 1;
}

/* A constant-index GEP counts its indices as the one byte offset mergefunc
 * compares, so that it stays equal to a GEP that mergefunc finds equal. */
static uint32_t strict_token(load_ctx *c, const strict_env *env,
                             LLVMValueRef inst, uint32_t token) {
  LLVMOpcode op = LLVMGetInstructionOpcode(inst);
  uint64_t h = as_hash_combine(TAG_STRICT, token), offset;
  bool offset_gep = is_offset_gep(c, inst, op, &offset);
  unsigned n = offset_gep ? 1 : (unsigned)LLVMGetNumOperands(inst);
  unsigned callee = is_call(op) ? n - 1 : n;
  for (unsigned i = 0; i < n; i++) {
    LLVMValueRef v = LLVMGetOperand(inst, i);
    uint64_t k;
    /* A call through an alias or an ifunc is direct too, by name. */
    if (i == callee && LLVMIsAGlobalValue(v)) {
      k = callee_identity(c, env, v);
      push_u64(c, &c->callee_ids, &c->n_callee_ids, &c->callee_ids_cap, k);
    } else if (LLVMIsAConstant(v) && !LLVMIsAGlobalValue(v) &&
               !is_implicit_count(inst, op, i)) {
      k = constant_hash(c, v);
      push_u64(c, &c->consts, &c->n_consts, &c->consts_cap, k);
    } else {
      continue;
    }
    h = as_hash_combine(h, k);
  }
  if (offset_gep) {
    uint64_t k = as_hash_combine(TAG_CONSTANT_OFFSET, offset);
    push_u64(c, &c->consts, &c->n_consts, &c->consts_cap, k);
    h = as_hash_combine(h, k);
  }
  return as_hash_fold32(h);
}

static int compare_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* A sorted heap copy (one element at least, as malloc(0) may be NULL). */
static uint64_t *sorted_copy(load_ctx *c, const uint64_t *scratch, size_t n) {
  uint64_t *copy = malloc((n ? n : 1) * sizeof *copy);
  if (!copy) {
    c->out_of_memory = true;
    return NULL;
  }
  if (n) {
    memcpy(copy, scratch, n * sizeof *copy);
    qsort(copy, n, sizeof *copy, compare_u64);
  }
  return copy;
}

static void free_strict(asp_func *rec) {
  free(rec->strict_tokens);
  free(rec->consts);
  free(rec->callee_ids);
  rec->strict_tokens = NULL;
  rec->consts = rec->callee_ids = NULL;
  rec->n_consts = rec->n_callee_ids = 0;
}

/* In layout order, as the tokens; after the classes, which callees need.
 * A record left without all of them has none. */
static void load_strict(load_ctx *c, const strict_env *env, asp_func *rec) {
  c->fn = rec->fn;
  ptr_map_clear(&c->serials);
  c->next_serial = 0;
  c->n_consts = c->n_callee_ids = 0;
  rec->strict_tokens = copy_scratch(c, rec->tokens, rec->n_insts);
  if (!rec->strict_tokens)
    return;
  uint32_t k = 0;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(c->fn); bb;
       bb = LLVMGetNextBasicBlock(bb)) {
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst;
         inst = LLVMGetNextInstruction(inst)) {
      if (is_debug_intrinsic(inst))
        continue;
      rec->strict_tokens[k] = strict_token(c, env, inst, rec->tokens[k]);
      k++;
    }
  }
  rec->consts = sorted_copy(c, c->consts, c->n_consts);
  rec->n_consts = (uint32_t)c->n_consts;
  rec->callee_ids = sorted_copy(c, c->callee_ids, c->n_callee_ids);
  rec->n_callee_ids = (uint32_t)c->n_callee_ids;
  if (c->out_of_memory)
    free_strict(rec);
}

/* What strict data are computed from after asp_module_load: its load
 * state (the type cache, callee_records, unnamed globals' ordinals), the
 * functions' merge traits and their call classes. */
struct asp_strict_source {
  load_ctx c;
  merge_traits *traits;
  uint32_t *call_class;
};

static void strict_source_free(asp_strict_source *src) {
  if (!src)
    return;
  load_ctx_free(&src->c);
  free(src->traits);
  free(src->call_class);
  free(src);
}

int asp_module_load_strict(asp_module *mod, const uint32_t *funcs, size_t n) {
  asp_strict_source *src = mod->strict;
  if (!src)
    return 0;
  strict_env env = {src->traits, src->call_class};
  for (size_t i = 0; i < n && !src->c.out_of_memory; i++)
    if (!mod->funcs[funcs[i]].strict_tokens)
      load_strict(&src->c, &env, &mod->funcs[funcs[i]]);
  /* A later call may try again. */
  bool failed = src->c.out_of_memory;
  src->c.out_of_memory = false;
  return failed ? -1 : 0;
}

/* max(|A \ B|, |B \ A|) of two sorted multisets. */
static uint32_t multiset_difference(const uint64_t *a, uint32_t na,
                                    const uint64_t *b, uint32_t nb) {
  uint32_t i = 0, j = 0, only_a = 0, only_b = 0;
  while (i < na && j < nb) {
    if (a[i] < b[j]) {
      only_a++;
      i++;
    } else if (b[j] < a[i]) {
      only_b++;
      j++;
    } else {
      i++;
      j++;
    }
  }
  only_a += na - i;
  only_b += nb - j;
  return only_a > only_b ? only_a : only_b;
}

void asp_func_differences(const asp_func *a, const asp_func *b,
                          uint32_t *consts, uint32_t *callees) {
  *consts = multiset_difference(a->consts, a->n_consts, b->consts, b->n_consts);
  *callees = multiset_difference(a->callee_ids, a->n_callee_ids, b->callee_ids,
                                 b->n_callee_ids);
}

/* ---- entry points -------------------------------------------------------- */

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
    if (!has_body(fn))
      continue;
    describe_merge_traits(c, fn, &traits[i]);
    uint64_t value = i | (traits[i].address_free ? ADDRESS_FREE : 0);
    if (!traits[i].interposable &&
        !ptr_map_put(&c->callee_records, fn, value))
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
    if (!out->funcs || !walks || !call_class)
      c.out_of_memory = true;
  }
  for (LLVMValueRef fn = LLVMGetFirstFunction(m); fn && !c.out_of_memory;
       fn = LLVMGetNextFunction(fn)) {
    if (!has_body(fn))
      continue;
    out->funcs[out->n].fn = fn;
    load_function(&c, &out->funcs[out->n], &walks[out->n], &traits[out->n]);
    out->n++;
  }
  if (!c.out_of_memory && !mark_shared_keys(walks, out->n))
    c.out_of_memory = true;
  for (size_t i = 0; i < out->n && !c.out_of_memory; i++)
    if (walks[i].shared)
      hash_local_data(&c, &out->funcs[i], &walks[i]);
  bool failed =
      c.out_of_memory || (n && assign_classes(out, walks, traits, call_class) < 0);
  for (size_t i = 0; walks && i < n; i++)
    free(walks[i].tokens);
  free(walks);
  /* The strict data wait for asp_module_load_strict: only the functions of
   * near-duplicate pairs need them. */
  if (!failed && !(out->strict = malloc(sizeof *out->strict)))
    failed = true;
  if (failed) {
    free(traits);
    free(call_class);
    load_ctx_free(&c);
    asp_module_free(out);
    return -1;
  }
  *out->strict = (asp_strict_source){c, traits, call_class};
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
