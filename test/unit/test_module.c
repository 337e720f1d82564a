/* Records of plugin/module.c: tokens, exact hashes and identity classes,
 * checked on small textual IR modules. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Core.h>
#include <llvm-c/IRReader.h>

#include "module.h"

static int failures;

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

static LLVMModuleRef parse(LLVMContextRef context, const char *ir) {
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

static loaded load(const char *ir) {
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
static int load_all_strict(asp_module *mod) {
  uint32_t *all = malloc((mod->n ? mod->n : 1) * sizeof *all);
  if (!all)
    return -1;
  for (size_t i = 0; i < mod->n; i++)
    all[i] = (uint32_t)i;
  int rc = asp_module_load_strict(mod, all, mod->n);
  free(all);
  return rc;
}

static loaded load_with_strict(const char *ir) {
  loaded l = load(ir);
  if (load_all_strict(&l.mod) != 0) {
    fprintf(stderr, "asp_module_load_strict failed\n");
    exit(2);
  }
  return l;
}

static void unload(loaded *l) {
  asp_module_free(&l->mod);
  LLVMDisposeModule(l->module);
  LLVMContextDispose(l->context);
}

static const asp_func *find(const loaded *l, const char *name) {
  for (size_t i = 0; i < l->mod.n; i++) {
    const asp_func *f = &l->mod.funcs[i];
    if (f->name_len == strlen(name) && memcmp(f->name, name, f->name_len) == 0)
      return f;
  }
  fprintf(stderr, "no record for @%s\n", name);
  exit(2);
}

static bool same_tokens(const asp_func *a, const asp_func *b) {
  return a->n_insts == b->n_insts &&
         memcmp(a->tokens, b->tokens, a->n_insts * sizeof *a->tokens) == 0;
}

static void test_renamed_values_keep_tokens_and_hash(void) {
  loaded l = load("define i32 @f(i32 %x) {\n"
                  "  %a = add i32 %x, 1\n"
                  "  ret i32 %a\n"
                  "}\n"
                  "define i32 @g(i32 %renamed) {\n"
                  "  %other = add i32 %renamed, 1\n"
                  "  ret i32 %other\n"
                  "}\n");
  const asp_func *f = find(&l, "f"), *g = find(&l, "g");
  CHECK(f->n_insts == 2);
  CHECK(same_tokens(f, g));
  CHECK(f->local_hash == g->local_hash);
  CHECK(f->klass == g->klass);
  unload(&l);
}

static void test_changed_literal_keeps_tokens_not_hash(void) {
  loaded l = load("define i32 @f(i32 %x) {\n"
                  "  %a = add i32 %x, 1\n"
                  "  ret i32 %a\n"
                  "}\n"
                  "define i32 @g(i32 %x) {\n"
                  "  %a = add i32 %x, 2\n"
                  "  ret i32 %a\n"
                  "}\n");
  const asp_func *f = find(&l, "f"), *g = find(&l, "g");
  CHECK(same_tokens(f, g));
  CHECK(f->local_hash != g->local_hash);
  CHECK(f->klass != g->klass);
  unload(&l);
}

static void test_swapped_operands_change_hash(void) {
  loaded l = load("define i32 @f(i32 %x, i32 %y) {\n"
                  "  %a = sub i32 %x, %y\n"
                  "  ret i32 %a\n"
                  "}\n"
                  "define i32 @g(i32 %x, i32 %y) {\n"
                  "  %a = sub i32 %y, %x\n"
                  "  ret i32 %a\n"
                  "}\n");
  const asp_func *f = find(&l, "f"), *g = find(&l, "g");
  CHECK(same_tokens(f, g));
  CHECK(f->local_hash != g->local_hash);
  unload(&l);
}

static void test_icmp_predicate_changes_token(void) {
  loaded l = load("define i1 @lt(i32 %x, i32 %y) {\n"
                  "  %c = icmp slt i32 %x, %y\n"
                  "  ret i1 %c\n"
                  "}\n"
                  "define i1 @gt(i32 %x, i32 %y) {\n"
                  "  %c = icmp sgt i32 %x, %y\n"
                  "  ret i1 %c\n"
                  "}\n");
  const asp_func *lt = find(&l, "lt"), *gt = find(&l, "gt");
  CHECK(lt->tokens[0] != gt->tokens[0]);
  CHECK(lt->tokens[1] == gt->tokens[1]);
  LLVMValueRef first = LLVMGetFirstInstruction(LLVMGetEntryBasicBlock(lt->fn));
  CHECK(asp_instruction_token(first) == lt->tokens[0]);
  unload(&l);
}

static void test_identical_functions_share_class(void) {
  loaded l = load("@g = global i32 0\n"
                  "define void @a(i32 %x) {\n"
                  "  store i32 %x, ptr @g, align 4\n"
                  "  ret void\n"
                  "}\n"
                  "define void @b(i32 %x) {\n"
                  "  store i32 %x, ptr @g, align 4\n"
                  "  ret void\n"
                  "}\n"
                  "define void @c(i32 %x) {\n"
                  "  store i32 %x, ptr @g, align 8\n"
                  "  ret void\n"
                  "}\n");
  CHECK(find(&l, "a")->klass == 0);
  CHECK(find(&l, "b")->klass == 0);
  CHECK(find(&l, "c")->klass == 1);
  unload(&l);
}

static void test_different_external_callees_split_class(void) {
  loaded l = load("declare i32 @ext1(i32)\n"
                  "declare i32 @ext2(i32)\n"
                  "define i32 @a(i32 %x) {\n"
                  "  %r = call i32 @ext1(i32 %x)\n"
                  "  ret i32 %r\n"
                  "}\n"
                  "define i32 @b(i32 %x) {\n"
                  "  %r = call i32 @ext2(i32 %x)\n"
                  "  ret i32 %r\n"
                  "}\n");
  const asp_func *a = find(&l, "a"), *b = find(&l, "b");
  CHECK(same_tokens(a, b));
  CHECK(a->n_callees == 0);
  CHECK(a->klass != b->klass);
  unload(&l);
}

/* Callers of identical helpers are identical, and so are their callers:
 * mergefunc merges the helpers, then re-compares the callers. */
static const char *const helper_chain_ir = "define i32 @h1(i32 %x) {\n"
                                           "  %a = mul i32 %x, 3\n"
                                           "  ret i32 %a\n"
                                           "}\n"
                                           "define i32 @h2(i32 %x) {\n"
                                           "  %a = mul i32 %x, 3\n"
                                           "  ret i32 %a\n"
                                           "}\n"
                                           "define i32 @h3(i32 %x) {\n"
                                           "  %a = mul i32 %x, 4\n"
                                           "  ret i32 %a\n"
                                           "}\n"
                                           "define i32 @u1(i32 %x) {\n"
                                           "  %a = call i32 @h1(i32 %x)\n"
                                           "  ret i32 %a\n"
                                           "}\n"
                                           "define i32 @u2(i32 %x) {\n"
                                           "  %a = call i32 @h2(i32 %x)\n"
                                           "  ret i32 %a\n"
                                           "}\n"
                                           "define i32 @u3(i32 %x) {\n"
                                           "  %a = call i32 @h3(i32 %x)\n"
                                           "  ret i32 %a\n"
                                           "}\n"
                                           "define i32 @top1(i32 %x) {\n"
                                           "  %a = call i32 @u1(i32 %x)\n"
                                           "  ret i32 %a\n"
                                           "}\n"
                                           "define i32 @top2(i32 %x) {\n"
                                           "  %a = call i32 @u2(i32 %x)\n"
                                           "  ret i32 %a\n"
                                           "}\n";

static void test_callers_of_identical_helpers_share_class(void) {
  loaded l = load(helper_chain_ir);
  const asp_func *u1 = find(&l, "u1"), *u2 = find(&l, "u2");
  CHECK(find(&l, "h1")->klass == find(&l, "h2")->klass);
  CHECK(u1->n_callees == 1 && u1->callees[0] == 0);
  CHECK(u2->n_callees == 1 && u2->callees[0] == 1);
  CHECK(u1->local_hash == u2->local_hash);
  CHECK(u1->klass == u2->klass);
  CHECK(find(&l, "top1")->klass == find(&l, "top2")->klass);
  unload(&l);
}

static void test_callers_of_different_helpers_split_class(void) {
  loaded l = load(helper_chain_ir);
  const asp_func *u1 = find(&l, "u1"), *u3 = find(&l, "u3");
  CHECK(same_tokens(u1, u3));
  CHECK(u1->local_hash == u3->local_hash);
  CHECK(u1->klass != u3->klass);
  unload(&l);
}

/* A function that no other can equal (its tokens are its own) still has
 * its callees, in the order of mergefunc's walk: depth first from the
 * entry block, the last successor first, unreachable blocks left out. The
 * address of an unnamed_addr function counts as a callee too. */
static void test_callees_follow_the_walk(void) {
  loaded l = load("define internal i32 @h1(i32 %x) {\n"
                  "  %a = add i32 %x, 1\n"
                  "  ret i32 %a\n"
                  "}\n"
                  "define internal i32 @h2(i32 %x) {\n"
                  "  %a = mul i32 %x, 3\n"
                  "  ret i32 %a\n"
                  "}\n"
                  "define internal i32 @h3(i32 %x) {\n"
                  "  %a = sub i32 %x, 7\n"
                  "  ret i32 %a\n"
                  "}\n"
                  "define internal i32 @h4(i32 %x) unnamed_addr {\n"
                  "  %a = xor i32 %x, 5\n"
                  "  ret i32 %a\n"
                  "}\n"
                  "define i32 @lone(i1 %c, i32 %x, ptr %p) {\n"
                  "entry:\n"
                  "  br i1 %c, label %one, label %two\n"
                  "one:\n"
                  "  %a = call i32 @h1(i32 %x)\n"
                  "  ret i32 %a\n"
                  "dead:\n"
                  "  %d = call i32 @h3(i32 %x)\n"
                  "  ret i32 %d\n"
                  "two:\n"
                  "  store ptr @h4, ptr %p\n"
                  "  %b = call i32 @h2(i32 %x)\n"
                  "  ret i32 %b\n"
                  "}\n");
  const asp_func *lone = find(&l, "lone");
  CHECK(lone->n_insts == 8);
  CHECK(lone->n_callees == 3);
  CHECK(lone->callees[0] == 3 && lone->callees[1] == 1 &&
        lone->callees[2] == 0);
  for (size_t i = 0; i < l.mod.n; i++)
    CHECK(&l.mod.funcs[i] == lone || l.mod.funcs[i].klass != lone->klass);
  unload(&l);
}

/* mergefunc treats f calling f like g calling g, but never merges a
 * mutually recursive pair with another one. */
static void test_recursion_follows_mergefunc(void) {
  loaded l = load("define i32 @self1(i32 %x) {\n"
                  "  %a = call i32 @self1(i32 %x)\n"
                  "  ret i32 %a\n"
                  "}\n"
                  "define i32 @self2(i32 %x) {\n"
                  "  %a = call i32 @self2(i32 %x)\n"
                  "  ret i32 %a\n"
                  "}\n"
                  "define i32 @calls_self1(i32 %x) {\n"
                  "  %a = call i32 @self1(i32 %x)\n"
                  "  ret i32 %a\n"
                  "}\n"
                  "define i32 @a1(i32 %x) {\n"
                  "  %a = call i32 @a2(i32 %x)\n"
                  "  ret i32 %a\n"
                  "}\n"
                  "define i32 @a2(i32 %x) {\n"
                  "  %a = call i32 @a1(i32 %x)\n"
                  "  ret i32 %a\n"
                  "}\n"
                  "define i32 @b1(i32 %x) {\n"
                  "  %a = call i32 @b2(i32 %x)\n"
                  "  ret i32 %a\n"
                  "}\n"
                  "define i32 @b2(i32 %x) {\n"
                  "  %a = call i32 @b1(i32 %x)\n"
                  "  ret i32 %a\n"
                  "}\n");
  CHECK(find(&l, "self1")->klass == find(&l, "self2")->klass);
  CHECK(find(&l, "self1")->n_callees == 0);
  CHECK(find(&l, "calls_self1")->klass != find(&l, "self1")->klass);
  CHECK(find(&l, "a1")->klass != find(&l, "b1")->klass);
  CHECK(find(&l, "a2")->klass != find(&l, "b2")->klass);
  unload(&l);
}

/* A function's address compares by identity, as in mergefunc: storing the
 * address of h1 or of its twin h2 is different. */
static void test_address_taken_compares_by_identity(void) {
  loaded l = load("define i32 @h1(i32 %x) {\n"
                  "  %a = mul i32 %x, 3\n"
                  "  ret i32 %a\n"
                  "}\n"
                  "define i32 @h2(i32 %x) {\n"
                  "  %a = mul i32 %x, 3\n"
                  "  ret i32 %a\n"
                  "}\n"
                  "define void @s1(ptr %p) {\n"
                  "  store ptr @h1, ptr %p, align 8\n"
                  "  ret void\n"
                  "}\n"
                  "define void @s2(ptr %p) {\n"
                  "  store ptr @h2, ptr %p, align 8\n"
                  "  ret void\n"
                  "}\n"
                  "define void @s3(ptr %p) {\n"
                  "  store ptr @h1, ptr %p, align 8\n"
                  "  ret void\n"
                  "}\n");
  const asp_func *s1 = find(&l, "s1"), *s2 = find(&l, "s2");
  CHECK(s1->n_callees == 0);
  CHECK(same_tokens(s1, s2));
  CHECK(s1->klass != s2->klass);
  CHECK(s1->klass == find(&l, "s3")->klass);
  unload(&l);
}

/* A weak body may be replaced at link time, so its callers compare it by
 * name even when another weak function has the same body. */
static void test_weak_callee_compares_by_name(void) {
  loaded l = load("define weak i32 @w1(i32 %x) {\n"
                  "  %a = mul i32 %x, 3\n"
                  "  ret i32 %a\n"
                  "}\n"
                  "define weak i32 @w2(i32 %x) {\n"
                  "  %a = mul i32 %x, 3\n"
                  "  ret i32 %a\n"
                  "}\n"
                  "define i32 @c1(i32 %x) {\n"
                  "  %a = call i32 @w1(i32 %x)\n"
                  "  ret i32 %a\n"
                  "}\n"
                  "define i32 @c2(i32 %x) {\n"
                  "  %a = call i32 @w2(i32 %x)\n"
                  "  ret i32 %a\n"
                  "}\n");
  CHECK(find(&l, "w1")->klass == find(&l, "w2")->klass);
  CHECK(find(&l, "c1")->n_callees == 0);
  CHECK(find(&l, "c1")->klass != find(&l, "c2")->klass);
  unload(&l);
}

static void test_declarations_are_skipped(void) {
  loaded l = load("declare i32 @ext(i32)\n"
                  "define available_externally i32 @inl(i32 %x) {\n"
                  "  ret i32 %x\n"
                  "}\n"
                  "define internal i32 @local(i32 %x) {\n"
                  "  %a = call i32 @inl(i32 %x)\n"
                  "  ret i32 %a\n"
                  "}\n"
                  "define linkonce_odr i32 @odr(i32 %x) {\n"
                  "  %a = call i32 @ext(i32 %x)\n"
                  "  ret i32 %a\n"
                  "}\n");
  CHECK(l.mod.n == 2);
  CHECK(find(&l, "local")->n_callees == 0);
  find(&l, "odr");
  unload(&l);
}

/* mergefunc compares an address-space-0 pointer as the integer of its
 * width, and a GEP with constant indices by its byte offset. */
static void test_mergefunc_equivalences(void) {
  loaded l =
      load("target datalayout = \"e-m:e-p:64:64-i64:64-n8:16:32:64-S128\"\n"
           "%struct.S = type { i32, i32 }\n"
           "define void @id_int(i64 %x, ptr %p) {\n"
           "  store i64 %x, ptr %p, align 8\n"
           "  ret void\n"
           "}\n"
           "define void @id_ptr(ptr %x, ptr %p) {\n"
           "  store ptr %x, ptr %p, align 8\n"
           "  ret void\n"
           "}\n"
           "define i32 @field(ptr %p) {\n"
           "  %q = getelementptr inbounds %struct.S, ptr %p, i32 0, i32 1\n"
           "  %v = load i32, ptr %q, align 4\n"
           "  ret i32 %v\n"
           "}\n"
           "define i32 @bytes(ptr %p) {\n"
           "  %q = getelementptr i8, ptr %p, i64 4\n"
           "  %v = load i32, ptr %q, align 4\n"
           "  ret i32 %v\n"
           "}\n"
           "define i32 @other_field(ptr %p) {\n"
           "  %q = getelementptr inbounds %struct.S, ptr %p, i32 0, i32 0\n"
           "  %v = load i32, ptr %q, align 4\n"
           "  ret i32 %v\n"
           "}\n");
  CHECK(find(&l, "id_int")->klass == find(&l, "id_ptr")->klass);
  CHECK(find(&l, "field")->klass == find(&l, "bytes")->klass);
  CHECK(same_tokens(find(&l, "field"), find(&l, "other_field")));
  CHECK(find(&l, "field")->klass != find(&l, "other_field")->klass);
  unload(&l);
}

/* mergefunc walks the CFG from the entry block: the order blocks are laid
 * out in does not matter, and unreachable blocks are ignored. */
static void test_block_layout_and_dead_blocks_do_not_matter(void) {
  loaded l = load("declare i32 @ext(i32)\n"
                  "define i32 @ordered(i1 %c) {\n"
                  "entry:\n"
                  "  br i1 %c, label %one, label %two\n"
                  "one:\n"
                  "  %a = call i32 @ext(i32 1)\n"
                  "  ret i32 %a\n"
                  "two:\n"
                  "  %b = call i32 @ext(i32 2)\n"
                  "  ret i32 %b\n"
                  "}\n"
                  "define i32 @swapped(i1 %c) {\n"
                  "entry:\n"
                  "  br i1 %c, label %one, label %two\n"
                  "two:\n"
                  "  %b = call i32 @ext(i32 2)\n"
                  "  ret i32 %b\n"
                  "one:\n"
                  "  %a = call i32 @ext(i32 1)\n"
                  "  ret i32 %a\n"
                  "dead:\n"
                  "  %d = call i32 @ext(i32 3)\n"
                  "  ret i32 %d\n"
                  "}\n");
  const asp_func *ordered = find(&l, "ordered"), *swapped = find(&l, "swapped");
  CHECK(ordered->n_insts == 5 && swapped->n_insts == 7);
  CHECK(ordered->local_hash == swapped->local_hash);
  CHECK(ordered->klass == swapped->klass);
  unload(&l);
}

static const char *const debug_ir =
    "define i32 @f(i32 %x, ptr %p) !dbg !5 {\n"
    "  call void @llvm.dbg.value(metadata i32 %x, metadata !9, "
    "metadata !DIExpression()), !dbg !10\n"
    "  %v = load i32, ptr %p, align 4, !dbg !10\n"
    "  %y = add i32 %x, %v, !dbg !10\n"
    "  ret i32 %y, !dbg !10\n"
    "}\n"
    "define i32 @plain(i32 %x, ptr %p) {\n"
    "  %v = load i32, ptr %p, align 4\n"
    "  %y = add i32 %x, %v\n"
    "  ret i32 %y\n"
    "}\n"
    "declare void @llvm.dbg.value(metadata, metadata, metadata)\n"
    "!llvm.dbg.cu = !{!0}\n"
    "!llvm.module.flags = !{!3}\n"
    "!0 = distinct !DICompileUnit(language: DW_LANG_C11, file: !1, "
    "producer: \"t\", isOptimized: false, runtimeVersion: 0, "
    "emissionKind: FullDebug)\n"
    "!1 = !DIFile(filename: \"src/a.c\", directory: \"/work\")\n"
    "!3 = !{i32 2, !\"Debug Info Version\", i32 3}\n"
    "!5 = distinct !DISubprogram(name: \"f\", scope: !1, file: !1, line: 42, "
    "type: !6, scopeLine: 42, spFlags: DISPFlagDefinition, unit: !0)\n"
    "!6 = !DISubroutineType(types: !7)\n"
    "!7 = !{null}\n"
    "!9 = !DILocalVariable(name: \"x\", arg: 1, scope: !5, file: !1, "
    "line: 42, type: !11)\n"
    "!10 = !DILocation(line: 43, column: 1, scope: !5)\n"
    "!11 = !DIBasicType(name: \"int\", size: 32, encoding: DW_ATE_signed)\n";

static void check_debug_records(const loaded *l) {
  const asp_func *f = find(l, "f"), *plain = find(l, "plain");
  CHECK(f->n_insts == 3);
  CHECK(same_tokens(f, plain));
  CHECK(f->klass == plain->klass);
  CHECK(f->line == 42);
  CHECK(f->file_len == strlen("src/a.c") &&
        memcmp(f->file, "src/a.c", f->file_len) == 0);
  CHECK(plain->file == NULL && plain->line == 0);
}

/* Debug info is either records (LLVM 19's default) or llvm.dbg.* calls;
 * neither counts. */
static void test_debug_info_is_not_counted(void) {
  loaded records = load(debug_ir);
  check_debug_records(&records);
  unload(&records);

  loaded calls = {.context = LLVMContextCreate()};
  calls.module = parse(calls.context, debug_ir);
  LLVMSetIsNewDbgInfoFormat(calls.module, 0);
  LLVMBasicBlockRef entry =
      LLVMGetEntryBasicBlock(LLVMGetNamedFunction(calls.module, "f"));
  CHECK(LLVMGetInstructionOpcode(LLVMGetFirstInstruction(entry)) == LLVMCall);
  CHECK(asp_module_load(calls.module, &calls.mod) == 0);
  check_debug_records(&calls);
  unload(&calls);
}

/* mergefunc does not admit a function that passes a distinct metadata node
 * to an intrinsic (CFI's type tests), even in an unreachable block; it
 * stays a near-duplicate candidate with the same tokens. */
static void test_distinct_metadata_intrinsic_is_never_identical(void) {
  loaded l = load("declare i1 @llvm.type.test(ptr, metadata)\n"
                  "define i1 @d1(ptr %p) {\n"
                  "  %t = call i1 @llvm.type.test(ptr %p, metadata !0)\n"
                  "  ret i1 %t\n"
                  "}\n"
                  "define i1 @d2(ptr %p) {\n"
                  "  %t = call i1 @llvm.type.test(ptr %p, metadata !1)\n"
                  "  ret i1 %t\n"
                  "}\n"
                  "define i1 @u1(ptr %p) {\n"
                  "  %t = call i1 @llvm.type.test(ptr %p, metadata !2)\n"
                  "  ret i1 %t\n"
                  "}\n"
                  "define i1 @u2(ptr %p) {\n"
                  "  %t = call i1 @llvm.type.test(ptr %p, metadata !2)\n"
                  "  ret i1 %t\n"
                  "}\n"
                  "define i1 @dead1(ptr %p) {\n"
                  "  ret i1 true\n"
                  "dead:\n"
                  "  %t = call i1 @llvm.type.test(ptr %p, metadata !0)\n"
                  "  ret i1 %t\n"
                  "}\n"
                  "define i1 @dead2(ptr %p) {\n"
                  "  ret i1 true\n"
                  "dead:\n"
                  "  %t = call i1 @llvm.type.test(ptr %p, metadata !1)\n"
                  "  ret i1 %t\n"
                  "}\n"
                  "define i1 @c1(ptr %p) {\n"
                  "  %t = call i1 @d1(ptr %p)\n"
                  "  ret i1 %t\n"
                  "}\n"
                  "define i1 @c2(ptr %p) {\n"
                  "  %t = call i1 @d2(ptr %p)\n"
                  "  ret i1 %t\n"
                  "}\n"
                  "!0 = distinct !{}\n"
                  "!1 = distinct !{}\n"
                  "!2 = !{!\"S\"}\n");
  const asp_func *d1 = find(&l, "d1"), *d2 = find(&l, "d2");
  CHECK(same_tokens(d1, d2));
  CHECK(d1->local_hash == d2->local_hash);
  CHECK(d1->klass != d2->klass);
  CHECK(d1->klass != find(&l, "u1")->klass);
  CHECK(find(&l, "u1")->klass == find(&l, "u2")->klass);
  CHECK(find(&l, "dead1")->klass != find(&l, "dead2")->klass);
  CHECK(find(&l, "c1")->klass != find(&l, "c2")->klass);
  unload(&l);
}

/* No thunk is made for one block of one instruction: mergefunc keeps such a
 * body unless it can delete it (local or linkonce, and every use redirected),
 * but it redirects the calls, so the callers are identical. It keeps the
 * first by name among external functions, so o stays and z's calls go to
 * it. */
static const char *const tiny_ir = "define void @a() {\n"
                                   "  ret void\n"
                                   "}\n"
                                   "define void @b() {\n"
                                   "  ret void\n"
                                   "}\n"
                                   "define internal void @c() {\n"
                                   "  ret void\n"
                                   "}\n"
                                   "define internal void @d() {\n"
                                   "  ret void\n"
                                   "}\n"
                                   "define linkonce_odr void @o() {\n"
                                   "  ret void\n"
                                   "}\n"
                                   "define weak void @w1() {\n"
                                   "  ret void\n"
                                   "}\n"
                                   "define weak void @w2() {\n"
                                   "  ret void\n"
                                   "}\n"
                                   "@taken = global ptr @d\n"
                                   "define void @call_b_c() {\n"
                                   "  call void @b()\n"
                                   "  call void @c()\n"
                                   "  ret void\n"
                                   "}\n"
                                   "define void @call_a_a() {\n"
                                   "  call void @a()\n"
                                   "  call void @a()\n"
                                   "  ret void\n"
                                   "}\n";

static void test_tiny_bodies_follow_mergefunc(void) {
  loaded l = load(tiny_ir);
  uint32_t a = find(&l, "a")->klass;
  CHECK(find(&l, "b")->klass != a);
  CHECK(find(&l, "c")->klass == a);
  CHECK(find(&l, "d")->klass != a && find(&l, "d")->klass != find(&l, "b")->klass);
  CHECK(find(&l, "o")->klass == a);
  CHECK(find(&l, "w1")->klass != find(&l, "w2")->klass);
  CHECK(find(&l, "call_b_c")->klass == find(&l, "call_a_a")->klass);
  unload(&l);
}

/* A varargs body cannot be forwarded by a thunk either. */
static void test_varargs_bodies_follow_mergefunc(void) {
  loaded l = load("declare void @use(ptr)\n"
                  "declare void @llvm.va_start.p0(ptr)\n"
                  "define void @v1(i32 %n, ...) {\n"
                  "  %ap = alloca ptr\n"
                  "  call void @llvm.va_start.p0(ptr %ap)\n"
                  "  call void @use(ptr %ap)\n"
                  "  ret void\n"
                  "}\n"
                  "define void @v2(i32 %n, ...) {\n"
                  "  %ap = alloca ptr\n"
                  "  call void @llvm.va_start.p0(ptr %ap)\n"
                  "  call void @use(ptr %ap)\n"
                  "  ret void\n"
                  "}\n"
                  "define internal void @v3(i32 %n, ...) {\n"
                  "  %ap = alloca ptr\n"
                  "  call void @llvm.va_start.p0(ptr %ap)\n"
                  "  call void @use(ptr %ap)\n"
                  "  ret void\n"
                  "}\n"
                  "define void @c1() {\n"
                  "  call void (i32, ...) @v2(i32 1)\n"
                  "  ret void\n"
                  "}\n"
                  "define void @c2() {\n"
                  "  call void (i32, ...) @v3(i32 1)\n"
                  "  ret void\n"
                  "}\n");
  CHECK(find(&l, "v1")->klass != find(&l, "v2")->klass);
  CHECK(find(&l, "v1")->klass == find(&l, "v3")->klass);
  CHECK(find(&l, "c1")->klass == find(&l, "c2")->klass);
  unload(&l);
}

/* mergefunc replaces every use of an unnamed_addr function, not only its
 * calls, unless llvm.used names it: storing the address of d1 or of its twin
 * d2 is then the same. */
static void test_insignificant_address_counts_by_class(void) {
  loaded l = load("@llvm.used = appending global [1 x ptr] [ptr @k2], "
                  "section \"llvm.metadata\"\n"
                  "define void @d1(ptr %p) unnamed_addr {\n"
                  "  store i32 0, ptr %p\n"
                  "  ret void\n"
                  "}\n"
                  "define void @d2(ptr %p) unnamed_addr {\n"
                  "  store i32 0, ptr %p\n"
                  "  ret void\n"
                  "}\n"
                  "define void @k1(ptr %p) unnamed_addr {\n"
                  "  store i32 1, ptr %p\n"
                  "  ret void\n"
                  "}\n"
                  "define void @k2(ptr %p) unnamed_addr {\n"
                  "  store i32 1, ptr %p\n"
                  "  ret void\n"
                  "}\n"
                  "define void @s1(ptr %p) {\n"
                  "  store ptr @d1, ptr %p\n"
                  "  ret void\n"
                  "}\n"
                  "define void @s2(ptr %p) {\n"
                  "  store ptr @d2, ptr %p\n"
                  "  ret void\n"
                  "}\n"
                  "define void @t1(ptr %p) {\n"
                  "  store ptr @k1, ptr %p\n"
                  "  ret void\n"
                  "}\n"
                  "define void @t2(ptr %p) {\n"
                  "  store ptr @k2, ptr %p\n"
                  "  ret void\n"
                  "}\n");
  CHECK(find(&l, "s1")->n_callees == 1);
  CHECK(find(&l, "s1")->klass == find(&l, "s2")->klass);
  CHECK(find(&l, "k1")->klass == find(&l, "k2")->klass);
  CHECK(find(&l, "t1")->klass != find(&l, "t2")->klass);
  unload(&l);
}

/* Under semantic interposition a body that is not dso_local may be replaced
 * at link time, so its callers compare it by name. */
static void test_semantic_interposition_callee_compares_by_name(void) {
  static const char body[] =
      "define void @p1(ptr %p) {\n"
      "  store i32 1, ptr %p\n"
      "  ret void\n"
      "}\n"
      "define void @p2(ptr %p) {\n"
      "  store i32 1, ptr %p\n"
      "  ret void\n"
      "}\n"
      "define dso_local void @q1(ptr %p) {\n"
      "  store i32 2, ptr %p\n"
      "  ret void\n"
      "}\n"
      "define dso_local void @q2(ptr %p) {\n"
      "  store i32 2, ptr %p\n"
      "  ret void\n"
      "}\n"
      "define void @cp1(ptr %p) {\n  call void @p1(ptr %p)\n  ret void\n}\n"
      "define void @cp2(ptr %p) {\n  call void @p2(ptr %p)\n  ret void\n}\n"
      "define void @cq1(ptr %p) {\n  call void @q1(ptr %p)\n  ret void\n}\n"
      "define void @cq2(ptr %p) {\n  call void @q2(ptr %p)\n  ret void\n}\n";
  char ir[2048];
  snprintf(ir, sizeof ir, "%s%s", body,
           "!llvm.module.flags = !{!0}\n"
           "!0 = !{i32 1, !\"SemanticInterposition\", i32 1}\n");
  loaded l = load(ir);
  CHECK(find(&l, "p1")->klass == find(&l, "p2")->klass);
  CHECK(find(&l, "cp1")->klass != find(&l, "cp2")->klass);
  CHECK(find(&l, "cq1")->klass == find(&l, "cq2")->klass);
  unload(&l);
  loaded plain = load(body);
  CHECK(find(&plain, "cp1")->klass == find(&plain, "cp2")->klass);
  unload(&plain);
}

static bool same_strict_tokens(const asp_func *a, const asp_func *b) {
  return a->n_insts == b->n_insts &&
         memcmp(a->strict_tokens, b->strict_tokens,
                a->n_insts * sizeof *a->strict_tokens) == 0;
}

static const char *const strict_ir = "declare i32 @ext1(i32)\n"
                                     "declare i32 @ext2(i32)\n"
                                     "define i32 @h1(i32 %x) {\n"
                                     "  %a = mul i32 %x, 3\n"
                                     "  ret i32 %a\n"
                                     "}\n"
                                     "define i32 @h2(i32 %x) {\n"
                                     "  %a = mul i32 %x, 3\n"
                                     "  ret i32 %a\n"
                                     "}\n"
                                     "define i32 @f(i32 %x) {\n"
                                     "  %a = add i32 %x, 1\n"
                                     "  %b = call i32 @h1(i32 %a)\n"
                                     "  %c = call i32 @ext1(i32 %b)\n"
                                     "  ret i32 %c\n"
                                     "}\n"
                                     "define i32 @g(i32 %x) {\n"
                                     "  %a = add i32 %x, 2\n"
                                     "  %b = call i32 @h2(i32 %a)\n"
                                     "  %c = call i32 @ext2(i32 %b)\n"
                                     "  ret i32 %c\n"
                                     "}\n";

/* Strict tokens see what tokens leave out: constant values and callees,
 * where a callee counts by class (calls of identical h1 and h2 are the same
 * call) or, outside the module, by name. */
static void test_strict_tokens_see_constants_and_callees(void) {
  loaded l = load_with_strict(strict_ir);
  const asp_func *f = find(&l, "f"), *g = find(&l, "g");
  CHECK(same_tokens(f, g));
  CHECK(f->strict_tokens[0] != g->strict_tokens[0]);
  CHECK(f->strict_tokens[0] != f->tokens[0]);
  CHECK(f->strict_tokens[1] == g->strict_tokens[1]);
  CHECK(f->strict_tokens[2] != g->strict_tokens[2]);
  CHECK(f->strict_tokens[3] == g->strict_tokens[3]);
  CHECK(same_strict_tokens(find(&l, "h1"), find(&l, "h2")));
  CHECK(f->n_consts == 1 && f->n_callee_ids == 2);
  uint32_t consts, callees;
  asp_func_differences(f, g, &consts, &callees);
  CHECK(consts == 1 && callees == 1);
  asp_func_differences(f, f, &consts, &callees);
  CHECK(consts == 0 && callees == 0);
  unload(&l);
}

static bool same_strict_data(const asp_func *a, const asp_func *b) {
  return same_strict_tokens(a, b) && a->n_consts == b->n_consts &&
         memcmp(a->consts, b->consts, a->n_consts * sizeof *a->consts) == 0 &&
         a->n_callee_ids == b->n_callee_ids &&
         memcmp(a->callee_ids, b->callee_ids,
                a->n_callee_ids * sizeof *a->callee_ids) == 0;
}

/* Strict data are computed only for the functions asked for, once, and
 * come out the same whatever else was asked for before. */
static void test_strict_data_on_demand(void) {
  loaded some = load(strict_ir);
  for (size_t i = 0; i < some.mod.n; i++)
    CHECK(some.mod.funcs[i].strict_tokens == NULL);
  const asp_func *g = find(&some, "g");
  const uint32_t ask[] = {(uint32_t)(g - some.mod.funcs),
                          (uint32_t)(g - some.mod.funcs)};
  CHECK(asp_module_load_strict(&some.mod, ask, 2) == 0);
  const uint32_t *first = g->strict_tokens;
  CHECK(first != NULL && find(&some, "f")->strict_tokens == NULL);
  CHECK(asp_module_load_strict(&some.mod, ask, 1) == 0);
  CHECK(g->strict_tokens == first);
  loaded all = load_with_strict(strict_ir);
  CHECK(same_strict_data(g, find(&all, "g")));
  unload(&all);
  unload(&some);
}

/* Each count is max(|A \ B|, |B \ A|) over multisets: {1, 2, 2, 3} and
 * {2, 3, 4, 4, 4} leave {1, 2} and {4, 4, 4}. */
static void test_differences_are_multiset_differences(void) {
  loaded l = load_with_strict("declare void @x(i32)\n"
                              "declare void @y(i32)\n"
                              "define void @a() {\n"
                              "  call void @x(i32 1)\n"
                              "  call void @x(i32 2)\n"
                              "  call void @x(i32 2)\n"
                              "  call void @y(i32 3)\n"
                              "  ret void\n"
                              "}\n"
                              "define void @b() {\n"
                              "  call void @x(i32 2)\n"
                              "  call void @y(i32 3)\n"
                              "  call void @y(i32 4)\n"
                              "  call void @y(i32 4)\n"
                              "  call void @y(i32 4)\n"
                              "  ret void\n"
                              "}\n");
  const asp_func *a = find(&l, "a"), *b = find(&l, "b");
  CHECK(a->n_consts == 4 && b->n_consts == 5);
  for (uint32_t i = 1; i < a->n_consts; i++)
    CHECK(a->consts[i - 1] <= a->consts[i]);
  uint32_t consts, callees;
  asp_func_differences(a, b, &consts, &callees);
  /* Callees {x, x, x, y} and {x, y, y, y, y} leave {x, x} and {y, y, y}. */
  CHECK(consts == 3 && callees == 3);
  asp_func_differences(b, a, &consts, &callees);
  CHECK(consts == 3 && callees == 3);
  unload(&l);
}

/* A constant-index GEP counts as the byte offset mergefunc compares, and
 * the implicit element count of an alloca is no constant. */
static void test_strict_tokens_follow_mergefunc_offsets(void) {
  loaded l = load_with_strict(
      "target datalayout = \"e-m:e-p:64:64-i64:64-n8:16:32:64-S128\"\n"
      "%struct.S = type { i32, i32 }\n"
      "define i32 @field(ptr %p) {\n"
      "  %s = alloca i32\n"
      "  %q = getelementptr inbounds %struct.S, ptr %p, i32 0, i32 1\n"
      "  %v = load i32, ptr %q, align 4\n"
      "  ret i32 %v\n"
      "}\n"
      "define i32 @bytes(ptr %p) {\n"
      "  %s = alloca i32\n"
      "  %q = getelementptr i8, ptr %p, i64 4\n"
      "  %v = load i32, ptr %q, align 4\n"
      "  ret i32 %v\n"
      "}\n"
      "define i32 @other_field(ptr %p) {\n"
      "  %s = alloca i32\n"
      "  %q = getelementptr inbounds %struct.S, ptr %p, i32 0, i32 0\n"
      "  %v = load i32, ptr %q, align 4\n"
      "  ret i32 %v\n"
      "}\n");
  const asp_func *field = find(&l, "field"), *bytes = find(&l, "bytes");
  const asp_func *other = find(&l, "other_field");
  CHECK(same_strict_tokens(field, bytes));
  CHECK(field->n_consts == 1);
  CHECK(!same_strict_tokens(field, other));
  uint32_t consts, callees;
  asp_func_differences(field, other, &consts, &callees);
  CHECK(consts == 1 && callees == 0);
  unload(&l);
}

static void test_module_is_not_modified(void) {
  loaded l = {.context = LLVMContextCreate()};
  l.module = parse(l.context, helper_chain_ir);
  char *before = LLVMPrintModuleToString(l.module);
  CHECK(asp_module_load(l.module, &l.mod) == 0);
  CHECK(load_all_strict(&l.mod) == 0);
  char *after = LLVMPrintModuleToString(l.module);
  CHECK(strcmp(before, after) == 0);
  LLVMDisposeMessage(before);
  LLVMDisposeMessage(after);
  unload(&l);
}

static void test_empty_module(void) {
  loaded l = load("declare void @only_a_declaration()\n");
  CHECK(l.mod.n == 0 && l.mod.funcs == NULL);
  unload(&l);
}

int main(void) {
  test_renamed_values_keep_tokens_and_hash();
  test_changed_literal_keeps_tokens_not_hash();
  test_swapped_operands_change_hash();
  test_icmp_predicate_changes_token();
  test_identical_functions_share_class();
  test_different_external_callees_split_class();
  test_callers_of_identical_helpers_share_class();
  test_callers_of_different_helpers_split_class();
  test_callees_follow_the_walk();
  test_recursion_follows_mergefunc();
  test_address_taken_compares_by_identity();
  test_weak_callee_compares_by_name();
  test_declarations_are_skipped();
  test_mergefunc_equivalences();
  test_block_layout_and_dead_blocks_do_not_matter();
  test_debug_info_is_not_counted();
  test_distinct_metadata_intrinsic_is_never_identical();
  test_tiny_bodies_follow_mergefunc();
  test_varargs_bodies_follow_mergefunc();
  test_insignificant_address_counts_by_class();
  test_semantic_interposition_callee_compares_by_name();
  test_strict_tokens_see_constants_and_callees();
  test_strict_data_on_demand();
  test_differences_are_multiset_differences();
  test_strict_tokens_follow_mergefunc_offsets();
  test_module_is_not_modified();
  test_empty_module();
  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  puts("test_module: all checks passed");
  return 0;
}
