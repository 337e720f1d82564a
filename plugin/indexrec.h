/* index=: the TU's index record (index/index.h) made from its analysis and
 * written into the object or into an index directory. */
#ifndef ACCELSTRAT_PLUGIN_INDEXREC_H
#define ACCELSTRAT_PLUGIN_INDEXREC_H

#include <llvm-c/Core.h>

#include "module.h"
#include "plugin.h"

/* Records every function of mod (loaded from m, with its frontend sites)
 * as opts->index says. A record that cannot be made or written is a
 * warning through host, once, and the compile goes on. Returns 1 when the
 * record went into m (index=object: a private constant in the section
 * ASX_SECTION, marked !exclude so that the object's section is
 * SHF_EXCLUDE, kept by llvm.compiler.used), else 0. */
int asp_index_record(LLVMModuleRef m, asp_module *mod, const char *tu,
                     const char *index, const asp_host *host);

#endif
