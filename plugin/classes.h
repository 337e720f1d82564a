/* Identity classes: which functions opt -passes=mergefunc merges, and the
 * call classes that a direct call counts as. */
#ifndef ACCELSTRAT_PLUGIN_CLASSES_H
#define ACCELSTRAT_PLUGIN_CLASSES_H

#include <stdint.h>

#include "module.h"
#include "record.h"
#include "traits.h"

/* Identity classes into mod, call classes into call_class (mod->n of
 * them). Returns 0 or -1 (out of memory). */
int assign_classes(asp_module *mod, const walk_record *walks,
                   const merge_traits *traits, uint32_t *call_class);

#endif
