/* GNU make's jobserver, client side. Tokens are bytes in a pipe (make
 * <= 4.3, or 4.4 with --jobserver-style=pipe) or a named FIFO (make 4.4):
 * whoever reads a byte may run one more job and must write the same byte
 * back. We only ever read through a descriptor of our own with O_NONBLOCK,
 * so a busy build means fewer threads here, never a hang. */
#include "jobserver.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <accelstrat/error.h>

#include "support/parse.h"

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

/* Where the word starting at p ends: make quotes blanks and backslashes
 * inside a word with a backslash. */
static const char *word_end(const char *p) {
  while (*p && !is_blank(*p)) p += (p[0] == '\\' && p[1]) ? 2 : 1;
  return p;
}

/* The rest of the word [p, end) after prefix, or NULL when it does not start
 * with prefix. */
static const char *after_prefix(const char *p, const char *end,
                                const char *prefix) {
  size_t n = strlen(prefix);
  return (size_t)(end - p) >= n && memcmp(p, prefix, n) == 0 ? p + n : NULL;
}

/* Copies [p, end) into out without its quoting backslashes; -1 when it does
 * not fit. */
static int unquote(const char *p, const char *end, char *out, size_t len) {
  size_t n = 0;
  while (p < end) {
    if (*p == '\\' && p + 1 < end) p++;
    if (n + 1 >= len) return -1;
    out[n++] = *p++;
  }
  out[n] = '\0';
  return 0;
}

int as__jobserver_parse(const char *makeflags, as_jobserver_kind *kind,
                        int *rfd, int *wfd, char *path, size_t pathlen) {
  *kind = AS_JOBSERVER_NONE;
  *rfd = *wfd = -1;
  if (path && pathlen) path[0] = '\0';

  /* Make keeps only the last value it was given, so only that one counts. */
  const char *value = NULL, *value_end = NULL;
  int fifo_allowed = 0;
  const char *p = makeflags ? makeflags : "";
  for (;;) {
    while (is_blank(*p)) p++;
    if (!*p) break;
    const char *end = word_end(p), *v;
    if (end - p == 2 && p[0] == '-' && p[1] == '-') break;
    if ((v = after_prefix(p, end, "--jobserver-auth="))) {
      value = v, value_end = end, fifo_allowed = 1;
    } else if ((v = after_prefix(p, end, "--jobserver-fds="))) {
      value = v, value_end = end, fifo_allowed = 0; /* make <= 4.1: fds only */
    }
    p = end;
  }
  if (!value) return 0;

  char text[PATH_MAX + sizeof "fifo:"];
  if (unquote(value, value_end, text, sizeof text) < 0) return AS_EINVAL;
  if (fifo_allowed && strncmp(text, "fifo:", 5) == 0) {
    const char *fifo = text + 5;
    size_t n = strlen(fifo);
    if (n == 0 || !path || n >= pathlen) return AS_EINVAL;
    memcpy(path, fifo, n + 1);
    *kind = AS_JOBSERVER_FIFO;
    return 1;
  }

  char *comma = strchr(text, ',');
  long r, w;
  if (!comma) return AS_EINVAL;
  *comma = '\0';
  if (as__parse_long(text, &r) != 0 || as__parse_long(comma + 1, &w) != 0 ||
      r > INT_MAX || w > INT_MAX)
    return AS_EINVAL;
  if (r < 0 || w < 0) return 0; /* make's "-1,-1": no jobserver after all */
  *kind = AS_JOBSERVER_PIPE;
  *rfd = (int)r;
  *wfd = (int)w;
  return 1;
}

__attribute__((format(printf, 2, 3))) static void
set_detail(as_jobserver *js, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(js->detail, sizeof js->detail, fmt, ap);
  va_end(ap);
}

static void open_pipe(as_jobserver *js, int rfd, int wfd) {
  if (fcntl(rfd, F_GETFD) < 0 || fcntl(wfd, F_GETFD) < 0) {
    /* make 4.3 closes them for recipes it does not know to be recursive. */
    set_detail(js, "pipe %d,%d: not open (recipe not marked recursive?)", rfd,
               wfd);
    return;
  }
  /* Descriptors make closed may have been reused for something else: taking
   * bytes from an unrelated pipe would eat someone's data, so both must be
   * the two ends of one pipe, each usable in its direction. */
  struct stat rst, wst;
  if (fstat(rfd, &rst) != 0 || fstat(wfd, &wst) != 0 ||
      !S_ISFIFO(rst.st_mode) || !S_ISFIFO(wst.st_mode)) {
    set_detail(js, "pipe %d,%d: not a pipe", rfd, wfd);
    return;
  }
  if (rst.st_dev != wst.st_dev || rst.st_ino != wst.st_ino) {
    set_detail(js, "pipe %d,%d: ends of different pipes", rfd, wfd);
    return;
  }
  if ((fcntl(rfd, F_GETFL) & O_ACCMODE) == O_WRONLY ||
      (fcntl(wfd, F_GETFL) & O_ACCMODE) == O_RDONLY) {
    set_detail(js, "pipe %d,%d: ends in the wrong direction", rfd, wfd);
    return;
  }
  /* A new open file description of the same pipe: O_NONBLOCK on it leaves
   * make's and every other process's view of the pipe blocking. */
  char proc[32];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", rfd);
  int fd = open(proc, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    set_detail(js, "pipe %d,%d: cannot reopen %s: %s", rfd, wfd, proc,
               strerror(errno));
    return;
  }
  /* Writes stay blocking: we only write back what we took, so there is
   * room. */
  int wdup = fcntl(wfd, F_DUPFD_CLOEXEC, 0);
  if (wdup < 0) {
    set_detail(js, "pipe %d,%d: cannot dup %d: %s", rfd, wfd, wfd,
               strerror(errno));
    close(fd);
    return;
  }
  js->read_fd = fd;
  js->write_fd = wdup;
  js->reachable = 1;
  set_detail(js, "pipe %d,%d", rfd, wfd);
}

static void open_fifo(as_jobserver *js, const char *path) {
  /* Read-write so that the open neither waits for a writer nor sees EOF
   * when the other clients come and go. */
  int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    set_detail(js, "fifo:%s: %s", path, strerror(errno));
    return;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
    set_detail(js, "fifo:%s: not a FIFO", path);
    close(fd);
    return;
  }
  js->read_fd = js->write_fd = fd;
  js->reachable = 1;
  set_detail(js, "fifo:%s", path);
}

int as__jobserver_open(as_jobserver *js) {
  if (!js) return AS_EINVAL;
  *js =
      (as_jobserver){.kind = AS_JOBSERVER_NONE, .read_fd = -1, .write_fd = -1};
  const char *var = "MAKEFLAGS", *flags = getenv(var);
  if (!flags) flags = getenv(var = "MFLAGS");

  as_jobserver_kind kind;
  int rfd, wfd;
  char path[PATH_MAX];
  int rc = as__jobserver_parse(flags, &kind, &rfd, &wfd, path, sizeof path);
  if (rc < 0) {
    set_detail(js, "malformed jobserver option in %s", var);
    return rc;
  }
  if (rc == 0) {
    set_detail(js, "no jobserver");
    return 0;
  }
  js->kind = kind;
  if (kind == AS_JOBSERVER_PIPE)
    open_pipe(js, rfd, wfd);
  else
    open_fifo(js, path);
  return 0;
}

int as__jobserver_acquire(as_jobserver *js, int want, unsigned char *tokens) {
  if (!js || !js->reachable || want <= 0 || !tokens) return 0;
  int got = 0;
  while (got < want) {
    ssize_t n = read(js->read_fd, tokens + got, (size_t)(want - got));
    if (n > 0)
      got += (int)n;
    else if (n < 0 && errno == EINTR)
      continue;
    else
      break; /* EAGAIN: none free now; EOF or an error: none at all */
  }
  return got;
}

void as__jobserver_release(as_jobserver *js, const unsigned char *tokens,
                           int n) {
  if (!js || !js->reachable || !tokens) return;
  int done = 0;
  while (done < n) {
    ssize_t w = write(js->write_fd, tokens + done, (size_t)(n - done));
    if (w > 0) {
      done += (int)w;
    } else if (w < 0 && errno == EINTR) {
      continue;
    } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      /* Only our nonblocking FIFO descriptor gets here: wait for room
       * rather than drop a token the build would then run short of. */
      struct pollfd pfd = {.fd = js->write_fd, .events = POLLOUT};
      poll(&pfd, 1, -1);
    } else {
      return; /* the jobserver is gone: nobody is left to hand tokens to */
    }
  }
}

void as__jobserver_close(as_jobserver *js) {
  if (!js || js->kind == AS_JOBSERVER_NONE) return;
  if (js->write_fd >= 0 && js->write_fd != js->read_fd) close(js->write_fd);
  if (js->read_fd >= 0) close(js->read_fd);
  js->read_fd = js->write_fd = -1;
  js->reachable = 0;
}
