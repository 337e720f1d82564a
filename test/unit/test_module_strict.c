/* test_module: strict tokens and data, their differences, the module left
 * unmodified, the empty module. */
#include "test_module_util.h"

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

void run_strict_tests(void) {
  test_strict_tokens_see_constants_and_callees();
  test_strict_data_on_demand();
  test_differences_are_multiset_differences();
  test_strict_tokens_follow_mergefunc_offsets();
  test_module_is_not_modified();
  test_empty_module();
}
