/* File-system helpers shared by the runtime, the plugin and the bench. */
#ifndef ACCELSTRAT_SUPPORT_FSUTIL_H
#define ACCELSTRAT_SUPPORT_FSUTIL_H

#include <sys/types.h>

/* mkdir -p: creates dir and every missing parent with mode (less the
 * umask). 0 when dir is then a directory, else -1 with errno (ENOTDIR when
 * it is something else, ENAMETOOLONG beyond PATH_MAX). */
int as__mkdirs(const char *dir, mode_t mode);

/* as__mkdirs of the directory part of a file's path ("" or no slash:
 * nothing to make). */
int as__mkdirs_for(const char *file, mode_t mode);

#endif
