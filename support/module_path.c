#include "support/module_path.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int as__module_path(const void *anchor, const char *name, char *buf,
                    size_t len) {
  Dl_info self;
  if (!dladdr(anchor, &self) || !self.dli_fname ||
      !strchr(self.dli_fname, '/')) {
    snprintf(buf, len, "%s", name);
    return -1;
  }
  const char *file = self.dli_fname;
  const int dir = (int)(strrchr(file, '/') - file);
  static const char *const places[] = {"/", "/../lib/"};
  for (size_t i = 0; i < sizeof places / sizeof *places; i++) {
    int n = snprintf(buf, len, "%.*s%s%s", dir, file, places[i], name);
    if (n >= 0 && (size_t)n < len && access(buf, F_OK) == 0) return 0;
  }
  snprintf(buf, len, "%.*s/%s", dir, file, name);
  return -1;
}
