/* What LLVM-C 19 cannot read of an attribute: the value of a constant-range
 * attribute (range(...)) or of a list of them (initializes(...)). */
#ifndef ACCELSTRAT_PLUGIN_ATTRIBUTE_TEXT_H
#define ACCELSTRAT_PLUGIN_ATTRIBUTE_TEXT_H

#include <llvm-c/Core.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The attribute as IR prints it ("range(i32 0, 10)"), malloc'd, or NULL
 * when memory runs out. It prints the attribute alone: printing the
 * instruction or function that holds it numbers the whole module first. */
char *asp_attribute_text(LLVMAttributeRef attr);

#ifdef __cplusplus
}
#endif

#endif
