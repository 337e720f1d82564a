/* Strict data, computed on demand (asp_module_load_strict): what the
 * tokens leave out, for saying how two functions differ. */
#ifndef ACCELSTRAT_PLUGIN_STRICT_H
#define ACCELSTRAT_PLUGIN_STRICT_H

#include <stdint.h>

#include "load.h"
#include "module.h"
#include "traits.h"

/* The source of a module's strict data: takes over c (its caches), traits
 * and call_class, or returns NULL (out of memory) and takes nothing. */
asp_strict_source *strict_source_new(const load_ctx *c, merge_traits *traits,
                                     uint32_t *call_class);
void strict_source_free(asp_strict_source *src);
/* Frees the strict data of rec, leaving it none. */
void free_strict(asp_func *rec);

#endif
