/* test_module: identity classes by mergefunc's rules: pointer and GEP
 * equivalences, block layout, debug info, distinct metadata, tiny and
 * varargs bodies, insignificant addresses, semantic interposition. */
#include "test_module_util.h"

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
  CHECK(find(&l, "d")->klass != a &&
        find(&l, "d")->klass != find(&l, "b")->klass);
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

void run_mergefunc_tests(void) {
  test_mergefunc_equivalences();
  test_block_layout_and_dead_blocks_do_not_matter();
  test_debug_info_is_not_counted();
  test_distinct_metadata_intrinsic_is_never_identical();
  test_tiny_bodies_follow_mergefunc();
  test_varargs_bodies_follow_mergefunc();
  test_insignificant_address_counts_by_class();
  test_semantic_interposition_callee_compares_by_name();
}
