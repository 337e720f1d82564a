/* Instruction tokens (tokens.h), and asp_instruction_token (module.h). */
#include "tokens.h"

#include <stdbool.h>

#include "hash.h"
#include "irhash.h"
#include "module.h"

static enum hash_tag operand_kind(LLVMValueRef v) {
  if (LLVMIsAArgument(v)) return TAG_ARGUMENT;
  if (LLVMValueIsBasicBlock(v)) return TAG_BLOCK;
  if (LLVMIsAInstruction(v)) return TAG_INSTRUCTION;
  if (LLVMIsAGlobalValue(v)) return TAG_GLOBAL;
  if (LLVMIsAConstant(v)) return TAG_CONSTANT;
  return TAG_OTHER;
}

/* Collects, in layout order, the operands that hash_operand counts by
 * class (a function using itself is not one): the callees of a function
 * are known without its local hash, which is computed only for the
 * functions that another one might equal (asp_module_load). */
static void note_callee(load_ctx *c, LLVMValueRef v, bool is_callee) {
  uint64_t id;
  if (v == c->fn || !counts_by_class(c, v, is_callee, &id)) return;
  uint32_t *callees = reserve(c, c->callees, &c->callees_cap, c->n_callees + 1,
                              sizeof *callees);
  if (callees) {
    c->callees = callees;
    callees[c->n_callees++] = (uint32_t)id;
  }
}

/* Only a global can count by class, so only a global is looked up. */
static uint64_t hash_operand_shape(load_ctx *c, uint64_t h, LLVMValueRef v,
                                   bool is_callee) {
  enum hash_tag kind = operand_kind(v);
  if (kind == TAG_GLOBAL) note_callee(c, v, is_callee);
  h = as_hash_combine(h, kind);
  return as_hash_combine(h, type_hash(c, LLVMTypeOf(v)));
}

/* The token of inst; its operands that count by class go to c->callees
 * (none without callee_records, as for asp_instruction_token). An offset
 * GEP's other operands are integers, so operand 0 is all it can name, as
 * in instruction_local_hash. */
uint64_t instruction_token64(load_ctx *c, LLVMValueRef inst) {
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
