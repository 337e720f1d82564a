/* Writing a record into an index directory (index.h): a temporary file
 * renamed over the old record, so that a reader sees one or the other.
 * No fsync: the record is a build product that the next compile remakes;
 * what make -j and kill -9 need (never half a record under the final name)
 * is the rename's, and the page cache outlives a killed process. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/index.h"
#include "support/fsutil.h"
#include "support/message.h"

/* The longest BASE: the temporary's name (".BASE-KEY.asx.tmp.PID.N") then
 * stays within NAME_MAX. */
#define BASE_MAX 200

static int safe_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* BASE-KEY.asx: BASE the source's file name with any other character than
 * [A-Za-z0-9._-] made '_' ("tu" when it has none), KEY the key in hex. */
static void file_name(const asx_tu *tu, char *name, size_t cap) {
  const char *slash = strrchr(tu->source, '/');
  const char *file = slash ? slash + 1 : tu->source;
  char base[BASE_MAX + 1];
  size_t n = 0;
  for (; file[n] && n < BASE_MAX; n++)
    base[n] = safe_char(file[n]) ? file[n] : '_';
  base[n] = '\0';
  snprintf(name, cap, "%s-%016llx%s", n ? base : "tu",
           (unsigned long long)tu->key, ASX_FILE_SUFFIX);
}

/* A fresh file in dir for name's record: O_EXCL with a process-wide
 * counter, so that concurrent writers never share one. */
static int open_temp(const char *dir, const char *name, char *tmp, size_t cap) {
  static atomic_uint counter;
  for (int tries = 0; tries < 100; tries++) {
    int n = snprintf(tmp, cap, "%s/.%s.tmp.%ld.%u", dir, name, (long)getpid(),
                     atomic_fetch_add(&counter, 1));
    if (n < 0 || (size_t)n >= cap) {
      snprintf(tmp, cap, "%s", dir);
      errno = ENAMETOOLONG;
      return -1;
    }
    int fd =
        open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}

static int write_all(int fd, const unsigned char *buf, size_t len) {
  while (len) {
    ssize_t n = write(fd, buf, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

/* buf[0, len) into path, through a temporary file beside it. */
static int replace_file(const char *dir, const char *name, const char *path,
                        const unsigned char *buf, size_t len, char *err,
                        size_t errlen) {
  char tmp[PATH_MAX];
  int fd = open_temp(dir, name, tmp, sizeof tmp);
  if (fd < 0) {
    as__message(err, errlen, "%s: cannot create a temporary file: %s", tmp,
                strerror(errno));
    return -1;
  }
  int rc = write_all(fd, buf, len);
  int saved = errno;
  if (close(fd) != 0 && rc == 0) {
    rc = -1;
    saved = errno;
  }
  if (rc < 0) {
    as__message(err, errlen, "%s: cannot write: %s", tmp, strerror(saved));
  } else if (rename(tmp, path) != 0) {
    rc = -1;
    as__message(err, errlen, "cannot rename %s to %s: %s", tmp, path,
                strerror(errno));
  }
  if (rc < 0) unlink(tmp);
  return rc;
}

int asx_write_dir(const char *dir, const asx_tu *tu, char *err, size_t errlen) {
  if (!dir || !*dir) {
    as__message(err, errlen, "no index directory");
    return -1;
  }
  unsigned char *buf;
  size_t len;
  if (asx_encode(tu, &buf, &len, err, errlen) < 0) return -1;
  char name[NAME_MAX + 1], path[PATH_MAX];
  file_name(tu, name, sizeof name);
  int rc = -1;
  if (as__mkdirs(dir, 0777) < 0)
    as__message(err, errlen, "%s: cannot create directory: %s", dir,
                strerror(errno));
  else if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
    as__message(err, errlen, "%s/%s: %s", dir, name, strerror(ENAMETOOLONG));
  else
    rc = replace_file(dir, name, path, buf, len, err, errlen);
  free(buf);
  return rc;
}
