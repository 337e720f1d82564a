/* Function records (record.h). */
#include "record.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <llvm-c/DebugInfo.h>

#include "cfg.h"
#include "hash.h"
#include "insthash.h"
#include "irhash.h"
#include "tokens.h"

/* ---- where it is --------------------------------------------------------- */

/* True when dir names the working directory, by getcwd() or by $PWD as
 * LLVM's current_path() prefers it (clang's debug directory comes from
 * there). */
static bool is_working_directory(const char *dir, size_t len) {
  char cwd[4096];
  const char *pwd = getenv("PWD");
  if (pwd && strlen(pwd) == len && memcmp(pwd, dir, len) == 0) return true;
  return getcwd(cwd, sizeof cwd) && strlen(cwd) == len &&
         memcmp(cwd, dir, len) == 0;
}

/* File and line from the DISubprogram. A relative file name keeps its
 * directory only when that is not where we run, so that a path reads as
 * clang's diagnostics print it: "src/a.c" under directory "/p" compiled in
 * /p/build is /p/src/a.c, while "a.c" under /p/build stays a.c. */
static void describe_location(asp_func *rec) {
  LLVMMetadataRef subprogram = LLVMGetSubprogram(rec->fn);
  if (!subprogram) return;
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

/* ---- tokens, callees and key --------------------------------------------- */

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
      if (is_debug_intrinsic(inst)) continue;
      /* Every block counts here, reachable or not, as in mergefunc. */
      if (traits->eligible && uses_distinct_metadata(c, inst))
        traits->eligible = false;
      uint64_t *tokens =
          reserve(c, c->tokens, &c->tokens_cap, n + 1, sizeof *tokens);
      if (!tokens) return 0;
      c->tokens = tokens;
      tokens[n++] = instruction_token64(c, inst);
    }
  }
  rec->n_insts = (uint32_t)n;
  if (n_blocks)
    c->block_infos[n_blocks] =
        (block_info){NULL, (uint32_t)n, (uint32_t)c->n_callees, false};
  return n_blocks;
}

/* Everything but the local hash: the tokens in layout order, and in the
 * walk's order the tokens (walk) and callees, which with the signature make
 * the key. Functions whose local data are equal have equal signatures,
 * callee counts and tokens in the walk's order, so equal keys: a function
 * whose key no other has is equal to none, and the rest of its local data
 * (operands, flags, attributes, metadata: most of the cost) is hashed only
 * where another function shares the key (hash_local_data). */
void load_function(load_ctx *c, asp_func *rec, walk_record *walk,
                   merge_traits *traits) {
  c->fn = rec->fn;
  rec->name = LLVMGetValueName2(rec->fn, &rec->name_len);
  describe_location(rec);
  size_t n_blocks = tokenize_layout(c, rec, traits);
  if (c->out_of_memory) return;
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
  if (n_callees) rec->callees = malloc(n_callees * sizeof *rec->callees);
  if (c->out_of_memory || !rec->tokens || !walk->tokens ||
      (n_callees && !rec->callees)) {
    c->out_of_memory = true;
    return;
  }
  for (size_t i = 0; i < n; i++) rec->tokens[i] = as_hash_fold32(c->tokens[i]);
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
   * is compared with it (classes.c, call_classes). hash_local_data
   * replaces it for the others. */
  rec->local_hash = key;
}

/* ---- the local hash, where another function shares the key --------------- */

typedef struct keyed {
  uint64_t key;
  uint32_t index;
} keyed;

static int keyed_compare(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  if (x->key != y->key) return (x->key > y->key) - (x->key < y->key);
  return (x->index > y->index) - (x->index < y->index);
}

/* Sets shared where another of the n functions has the same key (equal
 * keys by chance only cost a local hash). Returns false when out of
 * memory. */
bool mark_shared_keys(walk_record *walks, size_t n) {
  keyed *sorted = malloc((n ? n : 1) * sizeof *sorted);
  if (!sorted) return false;
  for (size_t i = 0; i < n; i++) sorted[i] = (keyed){walks[i].key, (uint32_t)i};
  qsort(sorted, n, sizeof *sorted, keyed_compare);
  for (size_t i = 0; i + 1 < n; i++)
    if (sorted[i].key == sorted[i + 1].key)
      walks[sorted[i].index].shared = walks[sorted[i + 1].index].shared = true;
  free(sorted);
  return true;
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
  for (unsigned i = 0; i < n_params; i++) serial_of(c, LLVMGetParam(c->fn, i));
  size_t n_reached = walk_blocks(c, n_blocks);
  uint32_t k = 0;
  for (size_t r = 0; r < n_reached; r++) {
    LLVMBasicBlockRef bb = c->block_infos[c->walk_order[r]].bb;
    h = as_hash_combine(h, serial_of(c, LLVMBasicBlockAsValue(bb)));
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst;
         inst = LLVMGetNextInstruction(inst)) {
      if (is_debug_intrinsic(inst)) continue;
      uint64_t token = walk->tokens[k++];
      h = as_hash_combine(h, instruction_local_hash(c, inst, token));
    }
  }
  return h;
}

/* The local hash of a function that shares its key: everything except the
 * identity of direct callees, in mergefunc's order. */
void hash_local_data(load_ctx *c, asp_func *rec, const walk_record *walk) {
  c->fn = rec->fn;
  rec->local_hash = hash_reachable_body(c, walk->signature, walk);
}
