/* File-system helpers shared by the runtime, the plugin and the bench. */
#ifndef ACCELSTRAT_SUPPORT_FSUTIL_H
#define ACCELSTRAT_SUPPORT_FSUTIL_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* mkdir -p: creates dir and every missing parent with mode (less the
 * umask). 0 when dir is then a directory, else -1 with errno (ENOTDIR when
 * it is something else, ENAMETOOLONG beyond PATH_MAX). */
int as__mkdirs(const char *dir, mode_t mode);

/* as__mkdirs of the directory part of a file's path ("" or no slash:
 * nothing to make). */
int as__mkdirs_for(const char *file, mode_t mode);

/* Creates a temporary file beside path, DIR/.BASE.tmp.PID.N (the base cut
 * to keep the name within NAME_MAX), with O_EXCL and O_NOFOLLOW: never a
 * file someone planted there, nor one through a planted link. Its name in
 * tmp[cap]; N is random, so that nobody can plant files for the names a
 * writer will try. Returns the descriptor (write-only, close-on-exec, mode 0666
 * less the umask), or -1 with errno. */
int as__open_temp(const char *path, char *tmp, size_t cap);

/* path opened for reading ("rb") if it is a regular file: opened with
 * O_NONBLOCK, so that a FIFO (or a device) cannot hang the reader, then
 * refused after fstat with errno EINVAL. NULL with errno otherwise. */
FILE *as__fopen_regular(const char *path);

/* Removes the temporaries of path (as__open_temp's names) that a killed
 * writer left: those of processes that no longer exist, if they are this
 * user's plain files. */
void as__remove_stale_temps(const char *path);

/* The same for the temporaries in dir whose names start with prefix (a dot
 * and the start of their targets' names): of targets whose names differ
 * from one writer to the next (dump=: one file per process and batch). */
void as__remove_stale_temps_in(const char *dir, const char *prefix);

/* Writes every byte of buf[0, len) to fd (retrying EINTR and short
 * writes). Returns 0, or -1 with errno (EIO for a write of nothing). */
int as__write_all(int fd, const void *buf, size_t len);

/* Replaces path with buf[0, len): written to as__open_temp's file, then
 * renamed over path, so that a reader, a kill or a full disk sees the
 * previous file or the new one, never part of one. Returns 0, or -1 with
 * errno (the temporary file removed). */
int as__replace_file(const char *path, const void *buf, size_t len);

#endif
