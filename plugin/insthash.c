/* Instructions and signatures as mergefunc compares them (insthash.h). */
#include "insthash.h"

#include <stdbool.h>

#include "hash.h"
#include "irhash.h"

/* ---- instructions -------------------------------------------------------- */

static uint64_t hash_operand(load_ctx *c, uint64_t h, LLVMValueRef v,
                             bool is_callee) {
  uint64_t id;
  /* mergefunc's self-reference rule: f using f matches g using g. */
  if (v == c->fn) return as_hash_combine(h, TAG_SELF);
  if (is_local(v)) return as_hash_combine(h, serial_of(c, v));
  /* Which one is in the record's callees (note_callee). */
  if (counts_by_class(c, v, is_callee, &id))
    return as_hash_combine(h, TAG_CALLEE);
  if (LLVMIsAConstant(v)) return as_hash_combine(h, constant_hash(c, v));
  if (LLVMIsAInlineAsm(v)) return as_hash_combine(h, inline_asm_hash(c, v));
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
    if (kind == c->dbg_md_kind) continue;
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
  if (op == LLVMCall) h = as_hash_combine(h, LLVMGetTailCallKind(call));
  return as_hash_combine(
      h, md_node_hash(c, LLVMGetMetadata(call, c->range_md_kind)));
}

static uint64_t hash_indices(uint64_t h, LLVMValueRef inst) {
  unsigned n = LLVMGetNumIndices(inst);
  const unsigned *indices = LLVMGetIndices(inst);
  h = as_hash_combine(h, n);
  for (unsigned i = 0; i < n; i++) h = as_hash_combine(h, indices[i]);
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
  case LLVMAShr: return as_hash_combine(h, (uint64_t)LLVMGetExact(inst));
  case LLVMOr: return as_hash_combine(h, (uint64_t)LLVMGetIsDisjoint(inst));
  case LLVMZExt:
  case LLVMUIToFP: return as_hash_combine(h, (uint64_t)LLVMGetNNeg(inst));
  case LLVMAlloca:
    h = as_hash_combine(h, type_hash(c, LLVMGetAllocatedType(inst)));
    return as_hash_combine(h, LLVMGetAlignment(inst));
  case LLVMLoad:
    return hash_instruction_metadata(c, hash_load_store(h, inst), inst);
  case LLVMStore: return hash_load_store(h, inst);
  case LLVMCall:
  case LLVMInvoke:
  case LLVMCallBr: return hash_call_state(c, h, inst, op);
  case LLVMExtractValue:
  case LLVMInsertValue: return hash_indices(h, inst);
  case LLVMFence: return hash_memory_order(h, inst);
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
  default: return h;
  }
}

uint64_t instruction_local_hash(load_ctx *c, LLVMValueRef inst,
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

/* ---- signatures ---------------------------------------------------------- */

/* As mergefunc's compareSignature. */
uint64_t signature_hash(load_ctx *c) {
  uint64_t h = hash_attribute_list(
      c, TAG_SIGNATURE, c->fn, LLVMCountParams(c->fn),
      LLVMGetAttributeCountAtIndex, LLVMGetAttributesAtIndex);
  h = hash_cstring(h, LLVMGetGC(c->fn));
  h = hash_cstring(h, LLVMGetSection(c->fn));
  h = as_hash_combine(h, LLVMGetFunctionCallConv(c->fn));
  return as_hash_combine(h, type_hash(c, LLVMGlobalGetValueType(c->fn)));
}
