/* File-system helpers (fsutil.h). */
#include "support/fsutil.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int make(char *path, mode_t mode) {
  for (char *p = path + 1;; p++) {
    if (*p != '/' && *p != '\0') continue;
    char c = *p;
    *p = '\0';
    if (mkdir(path, mode) != 0 && errno != EEXIST) return -1;
    *p = c;
    if (!c) break;
  }
  struct stat st;
  if (stat(path, &st) != 0) return -1;
  if (!S_ISDIR(st.st_mode)) {
    errno = ENOTDIR;
    return -1;
  }
  return 0;
}

int as__mkdirs(const char *dir, mode_t mode) {
  char path[PATH_MAX];
  if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  return make(path, mode);
}

int as__mkdirs_for(const char *file, mode_t mode) {
  char path[PATH_MAX];
  if (snprintf(path, sizeof path, "%s", file) >= (int)sizeof path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  char *slash = strrchr(path, '/');
  if (!slash || slash == path) return 0;
  *slash = '\0';
  return make(path, mode);
}
