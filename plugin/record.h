/* One function's record (asp_func) and what assigning identity classes
 * needs of it: tokens computed once per instruction, in layout order and
 * again in mergefunc's walk order, the callees, a cheap key, and the local
 * hash where another function shares that key. */
#ifndef ACCELSTRAT_PLUGIN_RECORD_H
#define ACCELSTRAT_PLUGIN_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "load.h"
#include "module.h"
#include "traits.h"

/* What assigning identity classes needs of a function besides its record;
 * kept only while they are assigned. */
typedef struct walk_record {
  uint64_t *tokens; /* its 64-bit tokens in the walk's order (cfg.h) */
  uint32_t n;
  uint64_t signature; /* signature_hash */
  uint64_t key;       /* the signature, the callee count and the tokens */
  bool shared;        /* another function has this key: local_hash is whole */
} walk_record;

void load_function(load_ctx *c, asp_func *rec, walk_record *walk,
                   merge_traits *traits);
bool mark_shared_keys(walk_record *walks, size_t n);
void hash_local_data(load_ctx *c, asp_func *rec, const walk_record *walk);

#endif
