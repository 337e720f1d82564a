/* Strict data (strict.h): what differs.
 *
 * What the tokens leave out, per instruction and per function: the values
 * of constant operands and the identity of direct callees. */
#include "strict.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "irhash.h"
#include "search/search.h"

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
  if (!grown) return;
  *buf = grown;
  grown[(*n)++] = v;
}

/* An alloca's element count is an operand that the printer leaves out when
 * it is 1, as it nearly always is: no constant that anyone wrote. */
static bool is_implicit_count(LLVMValueRef inst, LLVMOpcode op, unsigned i) {
  if (op != LLVMAlloca || i != 0) return false;
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

void free_strict(asp_func *rec) {
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
  if (!rec->strict_tokens) return;
  uint32_t k = 0;
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(c->fn); bb;
       bb = LLVMGetNextBasicBlock(bb)) {
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst;
         inst = LLVMGetNextInstruction(inst)) {
      if (is_debug_intrinsic(inst)) continue;
      rec->strict_tokens[k] = strict_token(c, env, inst, rec->tokens[k]);
      k++;
    }
  }
  rec->consts = sorted_copy(c, c->consts, c->n_consts);
  rec->n_consts = (uint32_t)c->n_consts;
  rec->callee_ids = sorted_copy(c, c->callee_ids, c->n_callee_ids);
  rec->n_callee_ids = (uint32_t)c->n_callee_ids;
  if (c->out_of_memory) free_strict(rec);
}

/* What strict data are computed from after asp_module_load: its load
 * state (the type cache, callee_records, unnamed globals' ordinals), the
 * functions' merge traits and their call classes. */
struct asp_strict_source {
  load_ctx c;
  merge_traits *traits;
  uint32_t *call_class;
};

void strict_source_free(asp_strict_source *src) {
  if (!src) return;
  load_ctx_free(&src->c);
  free(src->traits);
  free(src->call_class);
  free(src);
}

asp_strict_source *strict_source_new(const load_ctx *c, merge_traits *traits,
                                     uint32_t *call_class) {
  asp_strict_source *src = malloc(sizeof *src);
  if (src) *src = (asp_strict_source){*c, traits, call_class};
  return src;
}

int asp_module_load_strict(asp_module *mod, const uint32_t *funcs, size_t n) {
  asp_strict_source *src = mod->strict;
  if (!src) return 0;
  strict_env env = {src->traits, src->call_class};
  for (size_t i = 0; i < n && !src->c.out_of_memory; i++)
    if (!mod->funcs[funcs[i]].strict_tokens)
      load_strict(&src->c, &env, &mod->funcs[funcs[i]]);
  /* A later call may try again. */
  bool failed = src->c.out_of_memory;
  src->c.out_of_memory = false;
  return failed ? -1 : 0;
}

void asp_func_differences(const asp_func *a, const asp_func *b,
                          uint32_t *consts, uint32_t *callees) {
  *consts =
      ass_multiset_difference(a->consts, a->n_consts, b->consts, b->n_consts);
  *callees = ass_multiset_difference(a->callee_ids, a->n_callee_ids,
                                     b->callee_ids, b->n_callee_ids);
}
