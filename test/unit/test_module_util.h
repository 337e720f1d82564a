/* Helpers shared by the test_module sources (records of plugin/module.c on
 * small textual IR modules): the CHECK macro and its failure count, loading
 * a module from IR text, and finding a function's record. */
#ifndef ACCELSTRAT_TEST_MODULE_UTIL_H
#define ACCELSTRAT_TEST_MODULE_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <llvm-c/Core.h>

#include "module.h"

/* Failed checks so far, over every test_module source. */
extern int failures;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: %s: check failed: %s\n", __FILE__, __LINE__,     \
              __func__, #cond);                                                \
      failures++;                                                              \
    }                                                                          \
  } while (0)

typedef struct loaded {
  LLVMContextRef context;
  LLVMModuleRef module;
  asp_module mod;
} loaded;

/* The module of IR text ir, parsed in context; exits on bad IR. */
LLVMModuleRef parse(LLVMContextRef context, const char *ir);
/* ir parsed in a new context and loaded by asp_module_load. */
loaded load(const char *ir);
/* The strict data of every function, which asp_module_load leaves to
 * asp_module_load_strict. */
int load_all_strict(asp_module *mod);
/* load, then the strict data of every function. */
loaded load_with_strict(const char *ir);
void unload(loaded *l);
/* The record of the function named name; exits if there is none. */
const asp_func *find(const loaded *l, const char *name);
bool same_tokens(const asp_func *a, const asp_func *b);

/* Helpers h1, h2 (identical), h3, their callers u1..u3 and top1, top2
 * (test_module_classes.c); test_module_strict.c loads it too. */
extern const char *const helper_chain_ir;

/* Each group runs its tests in order; main runs the groups in this order. */
void run_token_tests(void);
void run_class_tests(void);
void run_mergefunc_tests(void);
void run_strict_tests(void);

#endif
