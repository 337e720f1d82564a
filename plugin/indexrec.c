/* The TU's index record (indexrec.h). */
#include "indexrec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <accelstrat/version.h>

#include "index/index.h"
#include "location.h"
#include "project.h"
#include "support/fnv.h"

/* What one record owns while it is made. */
typedef struct building {
  asx_tu tu;
  asx_func *funcs;
  const char **externs;
  char **strings; /* every string allocated, freed at the end */
  size_t n_strings, cap_strings;
  char directory[4096];
  int failed; /* out of memory */
} building;

static char *keep(building *b, char *s) {
  if (!s) {
    b->failed = 1;
    return NULL;
  }
  if (b->n_strings == b->cap_strings) {
    size_t cap = b->cap_strings ? 2 * b->cap_strings : 64;
    char **grown = realloc(b->strings, cap * sizeof *grown);
    if (!grown) {
      free(s);
      b->failed = 1;
      return NULL;
    }
    b->strings = grown;
    b->cap_strings = cap;
  }
  return b->strings[b->n_strings++] = s;
}

/* A symbol's text, or "__accelstrat_unnamed_N" for a value without a name
 * (the record's symbols are never empty). */
static const char *symbol_of(building *b, LLVMValueRef v, size_t n) {
  size_t len;
  const char *name = LLVMGetValueName2(v, &len);
  char *s = len ? strndup(name, len) : malloc(48);
  if (s && !len) snprintf(s, 48, "__accelstrat_unnamed_%zu", n);
  return keep(b, s);
}

static uint8_t linkage_of(LLVMValueRef fn, int interposable) {
  switch (LLVMGetLinkage(fn)) {
  case LLVMInternalLinkage:
  case LLVMPrivateLinkage: return ASX_LINK_INTERNAL;
  case LLVMLinkOnceODRLinkage:
  case LLVMWeakODRLinkage:
    return interposable ? ASX_LINK_INTERPOSABLE : ASX_LINK_ODR;
  case LLVMExternalLinkage:
    return interposable ? ASX_LINK_INTERPOSABLE : ASX_LINK_EXTERNAL;
  default: return ASX_LINK_INTERPOSABLE; /* weak, linkonce, common */
  }
}

/* Which compile this is: the absolute source path and object path. */
static uint64_t compile_key(const char *dir, const char *source,
                            const char *output) {
  uint64_t h = AS_FNV_OFFSET;
  const char *paths[2] = {source, output};
  for (int i = 0; i < 2; i++) {
    if (paths[i][0] && paths[i][0] != '/')
      h = as__fnv1a_str(as__fnv1a_str(h, dir), "/");
    h = as__fnv1a_str(as__fnv1a_str(h, paths[i]), "\n");
  }
  return h;
}

/* Function i of mod in the record. */
static void describe(building *b, LLVMModuleRef m, const asp_module *mod,
                     const asp_project *p, size_t i, asp_locator *lc,
                     const asp_host *host) {
  const asp_func *f = &mod->funcs[i];
  const asp_project_func *pf = &p->funcs[i];
  asx_func *out = &b->funcs[i];
  out->symbol = symbol_of(b, f->fn, i);
  out->name = keep(b, f->name_len ? host->demangle(f->name, f->name_len)
                                  : strdup(out->symbol ? out->symbol : ""));
  asp_location loc;
  if (out->name) asp_locate(lc, m, f, out->name, &loc);
  out->file = out->name ? keep(b, strdup(loc.file)) : NULL;
  out->line = out->name ? loc.line : 0;
  out->col = out->name ? loc.col : 0;
  out->linkage = linkage_of(f->fn, pf->interposable);
  out->flags = (uint8_t)((pf->eligible ? ASX_F_ELIGIBLE : 0) |
                         (f->in_system_header ? ASX_F_SYSTEM : 0) |
                         (pf->tu_globals ? ASX_F_TU_GLOBALS : 0));
  out->n_insts = f->n_insts;
  out->hash = pf->hash;
  out->n_callees = pf->n_callees;
  out->callees = pf->callees;
  out->tokens = f->tokens;
  out->n_consts = f->consts ? f->n_consts : 0;
  out->consts = f->consts;
}

/* The record of the TU; b->failed when out of memory. */
static void build(building *b, LLVMModuleRef m, asp_module *mod,
                  const asp_project *p, const char *tu, const asp_host *host) {
  if (!getcwd(b->directory, sizeof b->directory)) b->directory[0] = '\0';
  b->funcs = calloc(mod->n ? mod->n : 1, sizeof *b->funcs);
  b->externs = calloc(p->n_externs ? p->n_externs : 1, sizeof *b->externs);
  uint32_t *all = malloc((mod->n ? mod->n : 1) * sizeof *all);
  if (!b->funcs || !b->externs || !all) {
    free(all);
    b->failed = 1;
    return;
  }
  /* The constants, to say what differs: every function's, here. */
  for (size_t i = 0; i < mod->n; i++) all[i] = (uint32_t)i;
  if (asp_module_load_strict(mod, all, mod->n) < 0) b->failed = 1;
  free(all);
  asp_locator lc = {0};
  for (size_t i = 0; i < mod->n && !b->failed; i++)
    describe(b, m, mod, p, i, &lc, host);
  asp_locator_free(&lc);
  for (size_t k = 0; k < p->n_externs && !b->failed; k++)
    b->externs[k] = symbol_of(b, p->externs[k], k);
  const char *output = asp_frontend_output();
  b->tu = (asx_tu){.source = tu,
                   .directory = b->directory,
                   .output = output,
                   .producer = "accelstrat " AS_VERSION_STRING,
                   .key = compile_key(b->directory, tu, output),
                   .n_externs = (uint32_t)p->n_externs,
                   .externs = b->externs,
                   .n_funcs = (uint32_t)mod->n,
                   .funcs = b->funcs};
}

static void building_free(building *b) {
  for (size_t i = 0; i < b->n_strings; i++) free(b->strings[i]);
  free(b->strings);
  free(b->funcs);
  free(b->externs);
}

/* Appends g to llvm.compiler.used, which keeps it through every pass and
 * puts nothing in the object. */
static void keep_global(LLVMModuleRef m, LLVMValueRef g) {
  LLVMContextRef ctx = LLVMGetModuleContext(m);
  LLVMTypeRef ptr = LLVMPointerTypeInContext(ctx, 0);
  LLVMValueRef old = LLVMGetNamedGlobal(m, "llvm.compiler.used");
  LLVMValueRef init = old ? LLVMGetInitializer(old) : NULL;
  unsigned n = init ? (unsigned)LLVMGetNumOperands(init) : 0;
  LLVMValueRef *elems = malloc((n + 1) * sizeof *elems);
  if (!elems) return;
  for (unsigned i = 0; i < n; i++) elems[i] = LLVMGetOperand(init, i);
  elems[n] = g;
  if (old) LLVMDeleteGlobal(old);
  LLVMValueRef used =
      LLVMAddGlobal(m, LLVMArrayType2(ptr, n + 1), "llvm.compiler.used");
  LLVMSetLinkage(used, LLVMAppendingLinkage);
  LLVMSetSection(used, "llvm.metadata");
  LLVMSetInitializer(used, LLVMConstArray2(ptr, elems, n + 1));
  free(elems);
}

/* The record as a private constant in ASX_SECTION, excluded from links. */
static void add_to_object(LLVMModuleRef m, const unsigned char *buf,
                          size_t len) {
  LLVMContextRef ctx = LLVMGetModuleContext(m);
  LLVMValueRef init = LLVMConstStringInContext2(ctx, (const char *)buf, len, 1);
  LLVMValueRef g = LLVMAddGlobal(m, LLVMTypeOf(init), "__accelstrat_index");
  LLVMSetInitializer(g, init);
  LLVMSetGlobalConstant(g, 1);
  LLVMSetLinkage(g, LLVMPrivateLinkage);
  /* Not address-significant: otherwise -faddrsig (clang's default) lists
   * it in .llvm_addrsig, which takes a section symbol, and the symbol
   * table and relocations of every other section change. */
  LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
  LLVMSetSection(g, ASX_SECTION);
  LLVMSetAlignment(g, 1); /* records follow each other with no padding */
  unsigned exclude = LLVMGetMDKindIDInContext(ctx, "exclude", 7);
  LLVMGlobalSetMetadata(g, exclude, LLVMMDNodeInContext2(ctx, NULL, 0));
  keep_global(m, g);
}

int asp_index_record(LLVMModuleRef m, asp_module *mod, const char *tu,
                     const char *index, const asp_host *host) {
  building b = {0};
  asp_project p;
  char err[4400] = "", msg[4800];
  int rc = 0;
  if (asp_project_load(m, &p) < 0) {
    snprintf(err, sizeof err, "out of memory");
  } else {
    build(&b, m, mod, &p, tu, host);
    unsigned char *buf = NULL;
    size_t len = 0;
    if (b.failed)
      snprintf(err, sizeof err, "out of memory");
    else if (strcmp(index, "object") == 0) {
      if (asx_encode(&b.tu, &buf, &len, err, sizeof err) == 0) {
        add_to_object(m, buf, len);
        rc = 1;
      }
    } else {
      asx_write_dir(index, &b.tu, err, sizeof err);
    }
    free(buf);
    asp_project_free(&p);
  }
  building_free(&b);
  if (err[0]) {
    snprintf(msg, sizeof msg, "index=%s: no index record for %s: %s", index, tu,
             err);
    host->warning(host->ctx, msg);
  }
  return rc;
}
