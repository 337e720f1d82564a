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

/* The longest BASE: the temporary's name (".BASE-KEY.asx.tmp.PID.N",
 * support/fsutil.h) then stays within NAME_MAX. */
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
  else {
    as__remove_stale_temps(path); /* a killed compile's */
    if ((rc = as__replace_file(path, buf, len)) < 0)
      as__message(err, errlen, "%s: cannot write: %s", path, strerror(errno));
  }
  free(buf);
  return rc;
}
