// The one attribute query LLVM-C 19 lacks (attribute_text.h).
#include "llvm/IR/Attributes.h"

#include <stdlib.h>
#include <string.h>

#include <string>

#include "attribute_text.h"

extern "C" char *asp_attribute_text(LLVMAttributeRef Attr) {
  std::string Text = llvm::unwrap(Attr).getAsString();
  return strdup(Text.c_str());
}
