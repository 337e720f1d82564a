/* File-system helpers (fsutil.h). */
#include "support/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

/* 32 bits nobody can guess: getrandom, else the clock and a counter. */
static unsigned unguessable(void) {
  static atomic_uint counter;
  unsigned r;
  if (getrandom(&r, sizeof r, GRND_NONBLOCK) == (ssize_t)sizeof r) return r;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (unsigned)ts.tv_nsec ^ (unsigned)ts.tv_sec * 2654435761u ^
         atomic_fetch_add(&counter, 1) * 40503u;
}

int as__open_temp(const char *path, char *tmp, size_t cap) {
  const char *slash = strrchr(path, '/');
  const int dir_len = slash ? (int)(slash - path + 1) : 0;
  for (int tries = 0; tries < 100; tries++) {
    int n = snprintf(tmp, cap, "%.*s.%.200s.tmp.%ld.%08x", dir_len, path,
                     path + dir_len, (long)getpid(), unguessable());
    if (n < 0 || (size_t)n >= cap) {
      errno = ENAMETOOLONG;
      return -1;
    }
    int fd =
        open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}

int as__write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int as__replace_file(const char *path, const void *buf, size_t len) {
  char tmp[PATH_MAX];
  int fd = as__open_temp(path, tmp, sizeof tmp);
  if (fd < 0) return -1;
  int rc = as__write_all(fd, buf, len);
  int saved = errno;
  if (close(fd) != 0 && rc == 0) rc = -1, saved = errno;
  if (rc == 0 && rename(tmp, path) != 0) rc = -1, saved = errno;
  if (rc < 0) {
    unlink(tmp);
    errno = saved;
  }
  return rc;
}

void as__remove_stale_temps(const char *path) {
  char dir[PATH_MAX], prefix[NAME_MAX + 1];
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  int n = slash
              ? snprintf(dir, sizeof dir, "%.*s", (int)(slash - path + 1), path)
              : snprintf(dir, sizeof dir, ".");
  if (n < 0 || (size_t)n >= sizeof dir) return;
  n = snprintf(prefix, sizeof prefix, ".%.200s.tmp.", base);
  if (n < 0 || (size_t)n >= sizeof prefix) return;
  as__remove_stale_temps_in(dir, prefix);
}

void as__remove_stale_temps_in(const char *dir, const char *prefix) {
  const size_t n = strlen(prefix);
  DIR *d = opendir(dir);
  if (!d) return;
  for (struct dirent *e; (e = readdir(d));) {
    if (strncmp(e->d_name, prefix, n) != 0) continue;
    /* .BASE.tmp.PID.N: the pid follows the last ".tmp." (BASE may hold one) */
    const char *t = NULL;
    for (const char *s = e->d_name; (s = strstr(s, ".tmp.")); s++) t = s;
    if (!t) continue;
    char *end;
    long pid = strtol(t + 5, &end, 10);
    if (end == t + 5 || *end != '.' || pid <= 0) continue;
    /* A writer still running may be about to rename it. */
    if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
      continue;
    char file[PATH_MAX];
    struct stat st;
    if (snprintf(file, sizeof file, "%s/%s", dir, e->d_name) >=
            (int)sizeof file ||
        lstat(file, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid())
      continue; /* only our own plain files */
    unlink(file);
  }
  closedir(d);
}

FILE *as__fopen_regular(const char *path) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return NULL;
  struct stat st;
  int flags, saved = 0;
  if (fstat(fd, &st) != 0)
    saved = errno;
  else if (!S_ISREG(st.st_mode))
    saved = EINVAL;
  else if ((flags = fcntl(fd, F_GETFL)) < 0 ||
           fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
    saved = errno;
  if (saved) {
    close(fd);
    errno = saved;
    return NULL;
  }
  FILE *f = fdopen(fd, "rb");
  if (!f) close(fd);
  return f;
}
