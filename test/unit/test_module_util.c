/* The helpers of test_module_util.h. */
#include <stdlib.h>

#include <llvm-c/IRReader.h>

#include "test_module_util.h"

int failures;

LLVMModuleRef parse(LLVMContextRef context, const char *ir) {
  LLVMMemoryBufferRef buf =
      LLVMCreateMemoryBufferWithMemoryRangeCopy(ir, strlen(ir), "test.ll");
  LLVMModuleRef module;
  char *error = NULL;
  if (LLVMParseIRInContext(context, buf, &module, &error)) {
    fprintf(stderr, "bad test IR: %s\n", error);
    exit(2);
  }
  return module;
}

loaded load(const char *ir) {
  loaded l = {.context = LLVMContextCreate()};
  l.module = parse(l.context, ir);
  if (asp_module_load(l.module, &l.mod) != 0) {
    fprintf(stderr, "asp_module_load failed\n");
    exit(2);
  }
  return l;
}

/* The strict data of every function, which asp_module_load leaves to
 * asp_module_load_strict. */
int load_all_strict(asp_module *mod) {
  uint32_t *all = malloc((mod->n ? mod->n : 1) * sizeof *all);
  if (!all) return -1;
  for (size_t i = 0; i < mod->n; i++) all[i] = (uint32_t)i;
  int rc = asp_module_load_strict(mod, all, mod->n);
  free(all);
  return rc;
}

loaded load_with_strict(const char *ir) {
  loaded l = load(ir);
  if (load_all_strict(&l.mod) != 0) {
    fprintf(stderr, "asp_module_load_strict failed\n");
    exit(2);
  }
  return l;
}

void unload(loaded *l) {
  asp_module_free(&l->mod);
  LLVMDisposeModule(l->module);
  LLVMContextDispose(l->context);
}

const asp_func *find(const loaded *l, const char *name) {
  for (size_t i = 0; i < l->mod.n; i++) {
    const asp_func *f = &l->mod.funcs[i];
    if (f->name_len == strlen(name) && memcmp(f->name, name, f->name_len) == 0)
      return f;
  }
  fprintf(stderr, "no record for @%s\n", name);
  exit(2);
}

bool same_tokens(const asp_func *a, const asp_func *b) {
  return a->n_insts == b->n_insts &&
         memcmp(a->tokens, b->tokens, a->n_insts * sizeof *a->tokens) == 0;
}
