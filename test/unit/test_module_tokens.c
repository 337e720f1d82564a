/* test_module: the tokens and exact hashes of plugin/module.c's records. */
#include "test_module_util.h"

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

void run_token_tests(void) {
  test_renamed_values_keep_tokens_and_hash();
  test_changed_literal_keeps_tokens_not_hash();
  test_swapped_operands_change_hash();
  test_icmp_predicate_changes_token();
}
