/* The blocks of the function being loaded: numbered in layout order, and
 * ordered as mergefunc walks them. */
#ifndef ACCELSTRAT_PLUGIN_CFG_H
#define ACCELSTRAT_PLUGIN_CFG_H

#include <stddef.h>

#include "load.h"

/* Numbers the blocks of c->fn in layout order (c->blocks, c->block_infos);
 * returns how many it has. */
size_t index_blocks(load_ctx *c);
size_t walk_blocks(load_ctx *c, size_t n_blocks);

#endif
