/* LD_PRELOAD helper of test/stress/kill.py: the process stops itself
 * (SIGSTOP) at the moments KILLTEST_STOP names, so that the test sees the
 * moment exactly, continues it and kills it at a moment of its choice. The
 * calls themselves are the real ones, unchanged.
 *
 *   KILLTEST_STOP=EVENT[:N][,EVENT[:N]...]   at the N-th EVENT (default 1)
 *   temp    after a temporary is created (open with O_EXCL, ".tmp." in
 *           its name: as__open_temp)
 *   rename  before a temporary is renamed over its target
 *   lock    after an exclusive flock() succeeds
 *   unlock  before the descriptor so locked is closed
 *
 * Built by kill.py with the compiler under test:
 *   clang-19 -shared -fPIC -O1 stopper.c -o stopper.so -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

enum { TEMP, RENAME, LOCK, UNLOCK, EVENTS };
static const char *const names[EVENTS] = {"temp", "rename", "lock", "unlock"};
static int seen[EVENTS];
static int locked_fd = -1;

/* Whether the n-th event of this kind (counted here) is one to stop at. */
static void event(int e) {
  const char *s = getenv("KILLTEST_STOP");
  int n = ++seen[e];
  size_t len = strlen(names[e]);
  for (; s && *s; s = strchr(s, ',') ? strchr(s, ',') + 1 : NULL) {
    if (strncmp(s, names[e], len) != 0 ||
        (s[len] && s[len] != ',' && s[len] != ':'))
      continue;
    if ((s[len] == ':' ? atoi(s + len + 1) : 1) == n) raise(SIGSTOP);
  }
}

static void *next(const char *name) { return dlsym(RTLD_NEXT, name); }

static int open_with(const char *name, const char *path, int flags,
                     va_list ap) {
  int (*real)(const char *, int, ...) = next(name);
  mode_t mode = flags & (O_CREAT | O_TMPFILE) ? va_arg(ap, int) : 0;
  int fd = real(path, flags, mode);
  if (fd >= 0 && (flags & O_EXCL) && strstr(path, ".tmp.")) event(TEMP);
  return fd;
}

int open(const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  int fd = open_with("open", path, flags, ap);
  va_end(ap);
  return fd;
}

int open64(const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  int fd = open_with("open64", path, flags, ap);
  va_end(ap);
  return fd;
}

int rename(const char *from, const char *to) {
  int (*real)(const char *, const char *) = next("rename");
  if (strstr(from, ".tmp.")) event(RENAME);
  return real(from, to);
}

int flock(int fd, int op) {
  int (*real)(int, int) = next("flock");
  int rc = real(fd, op);
  if (rc == 0 && (op & LOCK_EX)) {
    locked_fd = fd;
    event(LOCK);
  }
  return rc;
}

int close(int fd) {
  int (*real)(int) = next("close");
  if (fd >= 0 && fd == locked_fd) {
    locked_fd = -1;
    event(UNLOCK);
  }
  return real(fd);
}
