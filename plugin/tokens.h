/* Instruction tokens: what the kernels compare of an instruction (its
 * opcode, its type, its operands' kinds and types, predicates and the
 * intrinsic it calls), and no more, so that near-duplicates share most
 * of them. */
#ifndef ACCELSTRAT_PLUGIN_TOKENS_H
#define ACCELSTRAT_PLUGIN_TOKENS_H

#include <stdint.h>

#include <llvm-c/Core.h>

#include "load.h"

/* The 64-bit token of inst (records keep its as_hash_fold32); its operands
 * that count by class go to c->callees. */
uint64_t instruction_token64(load_ctx *c, LLVMValueRef inst);

#endif
