/* A function's blocks in mergefunc's order (cfg.h). */
#include "cfg.h"

#include <stdbool.h>
#include <stdint.h>

/* Pushes block b unless the walk has met it already. */
static bool walk_reaches(load_ctx *c, uint32_t b, size_t *depth) {
  if (c->block_infos[b].reached) return true;
  uint32_t *stack =
      reserve(c, c->walk_stack, &c->walk_stack_cap, *depth + 1, sizeof *stack);
  if (!stack) return false;
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
size_t walk_blocks(load_ctx *c, size_t n_blocks) {
  uint32_t *order =
      reserve(c, c->walk_order, &c->walk_order_cap, n_blocks, sizeof *order);
  if (!order || n_blocks == 0) return 0;
  c->walk_order = order;
  for (size_t b = 0; b < n_blocks; b++) c->block_infos[b].reached = false;
  size_t depth = 0, n = 0;
  /* The entry block is the first in layout order. */
  if (!walk_reaches(c, 0, &depth)) return 0;
  while (depth > 0) {
    uint32_t b = c->walk_stack[--depth];
    order[n++] = b;
    LLVMValueRef terminator = LLVMGetBasicBlockTerminator(c->block_infos[b].bb);
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

size_t index_blocks(load_ctx *c) {
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
