/* An instruction as mergefunc's cmpOperations and cmpOperands compare it,
 * and a function's signature as its compareSignature does: the local data
 * of a function, everything except the identity of its direct callees. */
#ifndef ACCELSTRAT_PLUGIN_INSTHASH_H
#define ACCELSTRAT_PLUGIN_INSTHASH_H

#include <stdint.h>

#include <llvm-c/Core.h>

#include "load.h"

/* inst of c->fn, whose token is token: what mergefunc compares of it beyond
 * the token, its operands by the serials of the walk so far. */
uint64_t instruction_local_hash(load_ctx *c, LLVMValueRef inst, uint64_t token);
/* The signature of c->fn. */
uint64_t signature_hash(load_ctx *c);

#endif
