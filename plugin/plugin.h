/* The boundary between the C++ registration shim and the plugin's C logic. */
#ifndef ACCELSTRAT_PLUGIN_PLUGIN_H
#define ACCELSTRAT_PLUGIN_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include <llvm-c/Core.h>

#include "options.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What only the C++ side can do, handed to the C side per module. */
typedef struct asp_host {
  void *ctx;
  /* An analysis remark (pass name "accelstrat") about fn at line:col of its
   * DISubprogram's file; line 0 when unknown. */
  void (*remark)(void *ctx, LLVMValueRef fn, unsigned line, unsigned col,
                 const char *msg);
  /* A compile error: "error: accelstrat: MSG". */
  void (*error)(void *ctx, const char *msg);
  /* A warning that does not stop the compile: "warning: accelstrat: MSG". */
  void (*warning)(void *ctx, const char *msg);
  /* The demangled form of a symbol (malloc'd; the name itself when it is not
   * mangled), NULL when out of memory. */
  char *(*demangle)(const char *name, size_t len);
  /* Whether the compiler shows or records remarks of pass "accelstrat"
   * (-Rpass-analysis=accelstrat, an optimization record); NULL: yes. */
  int (*remarks_wanted)(void *ctx);
} asp_host;

/* Analyses module m with opts and reports through host, when anything
 * reads the findings (run.c: remarks, report=, metrics=, dump=, a strategy
 * asked for; else only index= is done). Never changes m,
 * but for index=object, which adds the TU's index record (a global that
 * nothing uses, in a section the linker drops). Returns 0, 1 when it added
 * that record, or -1 after host->error was called. */
int asp_run(LLVMModuleRef m, const asp_options *opts, const asp_host *host);

/* CPU time of the whole process (every thread), in nanoseconds: what the
 * plugin costs a build, whatever else the machine runs. 0 if unknown. */
uint64_t asp_process_cpu_ns(void);

#ifdef __cplusplus
}
#endif

#endif
