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
#include "cfg.h"
#include "hash.h"
#include "insthash.h"
#include "irhash.h"
#include "load.h"
#include "ptrmap.h"
#include "record.h"
#include "tokens.h"
#include "traits.h"

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
