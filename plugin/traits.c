/* Merge traits (traits.h): what mergefunc decides besides comparing. */
#include "traits.h"

#include <stdlib.h>
#include <string.h>

#include <llvm-c/DebugInfo.h>

#include "irhash.h"

/* ---- linkage and interposition ------------------------------------------- */

static bool is_local_linkage(LLVMLinkage linkage) {
  return linkage == LLVMInternalLinkage || linkage == LLVMPrivateLinkage;
}

/* A weak or linkonce body may be replaced at link time, and so may one that
 * is not dso_local under semantic interposition (GlobalValue::isInterposable),
 * so mergefunc never redirects its callers: callers compare such a callee by
 * name. */
static bool is_interposable(load_ctx *c, LLVMValueRef fn) {
  uint64_t unused;
  LLVMLinkage linkage = LLVMGetLinkage(fn);
  return linkage == LLVMWeakAnyLinkage || linkage == LLVMLinkOnceAnyLinkage ||
         ptr_map_get(&c->preemptible, fn, &unused);
}

bool has_body(LLVMValueRef fn) {
  return !LLVMIsDeclaration(fn) &&
         LLVMGetLinkage(fn) != LLVMAvailableExternallyLinkage;
}

/* Module::getSemanticInterposition: an integer module flag. */
static bool has_semantic_interposition(load_ctx *c) {
  static const char key[] = "SemanticInterposition";
  LLVMMetadataRef flag = LLVMGetModuleFlag(c->module, key, sizeof key - 1);
  if (!flag) return false;
  LLVMValueRef v = LLVMMetadataAsValue(c->llvm, flag), k = NULL;
  if (LLVMIsAMDNode(v) && LLVMGetMDNodeNumOperands(v) == 1)
    LLVMGetMDNodeOperands(v, &k);
  return k && LLVMIsAConstantInt(k) && LLVMConstIntGetZExtValue(k) != 0;
}

static bool has_text(const char *begin, const char *end, const char *needle) {
  size_t len = strlen(needle);
  for (const char *p = begin; p + len <= end; p++)
    if (memcmp(p, needle, len) == 0) return true;
  return false;
}

/* Fills c->preemptible. LLVM-C cannot read dso_local, but the printer
 * writes it on a function's header line unless local linkage or a hidden or
 * protected visibility implies it, and it prints the functions in module
 * order. The module is printed once, and only under the flag, which is
 * rare. */
static void find_preemptible(load_ctx *c) {
  char *text = LLVMPrintModuleToString(c->module);
  const char *line = text;
  for (LLVMValueRef fn = LLVMGetFirstFunction(c->module); fn && line;
       fn = LLVMGetNextFunction(fn)) {
    while (line && strncmp(line, "define ", 7) != 0 &&
           strncmp(line, "declare ", 8) != 0) {
      line = strchr(line, '\n');
      line = line ? line + 1 : NULL;
    }
    if (!line) break;
    const char *name = strstr(line, " @");
    bool dso_local = has_text(line, name ? name : line, " dso_local ") ||
                     is_local_linkage(LLVMGetLinkage(fn)) ||
                     LLVMGetVisibility(fn) != LLVMDefaultVisibility;
    if (!dso_local && !ptr_map_put(&c->preemptible, fn, 1))
      c->out_of_memory = true;
    line = strchr(line, '\n');
    line = line ? line + 1 : NULL;
  }
  LLVMDisposeMessage(text);
}

/* collectUsedGlobalVariables: mergefunc never replaces every use of these
 * (code it cannot see, such as inline asm, may name them). */
static void collect_used(load_ctx *c, const char *name) {
  LLVMValueRef list = LLVMGetNamedGlobal(c->module, name);
  LLVMValueRef init = list ? LLVMGetInitializer(list) : NULL;
  if (!init || !LLVMIsAConstantArray(init)) return;
  int n = LLVMGetNumOperands(init);
  for (int i = 0; i < n; i++) {
    LLVMValueRef v = LLVMGetOperand(init, (unsigned)i);
    while (LLVMIsAConstantExpr(v) &&
           (LLVMGetConstOpcode(v) == LLVMBitCast ||
            LLVMGetConstOpcode(v) == LLVMAddrSpaceCast))
      v = LLVMGetOperand(v, 0);
    if (LLVMIsAFunction(v) && !ptr_map_put(&c->used, v, 1))
      c->out_of_memory = true;
  }
}

void prepare_module(load_ctx *c) {
  collect_used(c, "llvm.used");
  collect_used(c, "llvm.compiler.used");
  if (has_semantic_interposition(c)) find_preemptible(c);
}

/* ---- uses ---------------------------------------------------------------- */

static use_kind classify_uses(LLVMValueRef fn) {
  use_kind kind = USES_NONE;
  for (LLVMUseRef u = LLVMGetFirstUse(fn); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (!LLVMIsAInstruction(user) || !is_call(LLVMGetInstructionOpcode(user)) ||
        LLVMGetCalledValue(user) != fn)
      return USES_OTHER;
    /* Passed to a call of itself: a use that is not the callee. */
    unsigned n = (unsigned)LLVMGetNumOperands(user);
    for (unsigned i = 0; i + 1 < n; i++)
      if (LLVMGetOperand(user, i) == fn) return USES_OTHER;
    kind = USES_CALLS_ONLY;
  }
  return kind;
}

void describe_merge_traits(load_ctx *c, LLVMValueRef fn, merge_traits *t) {
  uint64_t unused;
  LLVMLinkage linkage = LLVMGetLinkage(fn);
  t->eligible = true;
  t->interposable = is_interposable(c, fn);
  t->local = is_local_linkage(linkage);
  t->discardable = t->local || linkage == LLVMLinkOnceAnyLinkage ||
                   linkage == LLVMLinkOnceODRLinkage;
  t->address_free = LLVMGetUnnamedAddress(fn) == LLVMGlobalUnnamedAddr &&
                    !ptr_map_get(&c->used, fn, &unused);
  t->uses = classify_uses(fn);
}

/* ---- admission and thunks ------------------------------------------------ */

/* LLVM-C cannot ask a node whether it is distinct. A uniqued tuple is the
 * only tuple with its operands, so asking the context for a tuple with the
 * same operands gives it back, and gives another one for a distinct tuple
 * (possibly adding that uniqued tuple to the context; the module never
 * refers to it). Other nodes are debug info, which intrinsics other than
 * the debug ones hardly ever take: their printed form says it. */
static bool tuple_is_distinct(load_ctx *c, LLVMValueRef v, LLVMMetadataRef md) {
  unsigned n = LLVMGetMDNodeNumOperands(v);
  if (n == 0) return LLVMMDNodeInContext2(c->llvm, NULL, 0) != md;
  LLVMValueRef *ops =
      reserve(c, c->md_operands, &c->md_operands_cap, n, sizeof *ops);
  LLVMMetadataRef *mds = malloc(n * sizeof *mds);
  if (!ops || !mds) {
    c->out_of_memory = true;
    free(mds);
    return false;
  }
  c->md_operands = ops;
  LLVMGetMDNodeOperands(v, ops);
  for (unsigned i = 0; i < n; i++)
    mds[i] = ops[i] ? LLVMValueAsMetadata(ops[i]) : NULL;
  bool distinct = LLVMMDNodeInContext2(c->llvm, mds, n) != md;
  free(mds);
  return distinct;
}

/* "!7 = distinct !DI...(...)", or without the slot number. */
static bool printed_as_distinct(LLVMValueRef v) {
  char *text = LLVMPrintValueToString(v);
  const char *p = text;
  if (*p == '!') {
    size_t digits = strspn(p + 1, "0123456789");
    if (digits && strncmp(p + 1 + digits, " = ", 3) == 0) p += 1 + digits + 3;
  }
  bool distinct = strncmp(p, "distinct ", 9) == 0;
  LLVMDisposeMessage(text);
  return distinct;
}

static bool is_distinct_node(load_ctx *c, LLVMValueRef v) {
  LLVMMetadataRef md = LLVMValueAsMetadata(v);
  uint64_t distinct;
  if (ptr_map_get(&c->md_distinct, md, &distinct)) return distinct != 0;
  switch (LLVMGetMetadataKind(md)) {
  case LLVMMDStringMetadataKind:
  case LLVMConstantAsMetadataMetadataKind:
  case LLVMLocalAsMetadataMetadataKind:
  case LLVMDistinctMDOperandPlaceholderMetadataKind:
  case LLVMDIArgListMetadataKind:
    distinct = 0; /* not nodes */
    break;
  case LLVMMDTupleMetadataKind: distinct = tuple_is_distinct(c, v, md); break;
  default: distinct = printed_as_distinct(v); break;
  }
  /* A full cache only costs time. */
  ptr_map_put(&c->md_distinct, md, distinct);
  return distinct != 0;
}

/* Function::isIntrinsic: any name in the reserved llvm. namespace. */
static bool is_intrinsic(LLVMValueRef fn) {
  size_t len;
  const char *name = LLVMGetValueName2(fn, &len);
  return len > 5 && memcmp(name, "llvm.", 5) == 0;
}

/* mergefunc's hasDistinctMetadataIntrinsic, for one instruction: a call of
 * an intrinsic with a distinct node among its operands (CFI's type tests
 * for function-local types) keeps the function out of merging. */
bool uses_distinct_metadata(load_ctx *c, LLVMValueRef inst) {
  if (LLVMGetInstructionOpcode(inst) != LLVMCall) return false;
  LLVMValueRef callee = direct_callee(inst);
  if (!callee || !is_intrinsic(callee)) return false;
  unsigned n = (unsigned)LLVMGetNumOperands(inst);
  for (unsigned i = 0; i < n; i++) {
    LLVMValueRef op = LLVMGetOperand(inst, i);
    if (LLVMIsAMDNode(op) && is_distinct_node(c, op)) return true;
  }
  return false;
}

/* canCreateThunkFor: a varargs function cannot forward its arguments, and
 * a thunk would be no smaller than a body of one block and one
 * instruction. */
bool is_thunkable(LLVMValueRef fn, uint32_t n_insts) {
  return !LLVMIsFunctionVarArg(LLVMGlobalGetValueType(fn)) &&
         !(LLVMCountBasicBlocks(fn) == 1 && n_insts < 2);
}
