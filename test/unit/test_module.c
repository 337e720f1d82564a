/* Records of plugin/module.c: tokens, exact hashes and identity classes,
 * checked on small textual IR modules. */
#include <stdio.h>

#include "test_module_util.h"

int main(void) {
  run_token_tests();
  run_class_tests();
  run_mergefunc_tests();
  run_strict_tests();
  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  puts("test_module: all checks passed");
  return 0;
}
