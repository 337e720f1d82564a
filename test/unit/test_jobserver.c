/* GNU make's jobserver, client side: MAKEFLAGS in every form make writes, and
 * fake pipe and FIFO jobservers from which tokens are taken and given back
 * without blocking, losing or duplicating one, also against a concurrent
 * child process. alarm() turns a blocking bug into a failure, not a hang. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <accelstrat/error.h>

#include "jobserver.h"
#include "test_util.h"

/* Distinct bytes among the '+' so that a byte not given back is noticed. */
static const unsigned char token_bytes[] = {'+', '+', 'x', '+', 'y'};
enum { N = (int)sizeof token_bytes };

static void parse_case(int line, const char *flags, int want_rc,
                       as_jobserver_kind want_kind, int want_r, int want_w,
                       const char *want_path) {
  as_jobserver_kind kind = (as_jobserver_kind)99;
  int r = 77, w = 77;
  char path[64] = "junk";
  int rc = as__jobserver_parse(flags, &kind, &r, &w, path, sizeof path);
  if (rc != want_rc || kind != want_kind || r != want_r || w != want_w ||
      strcmp(path, want_path) != 0)
    test_fail(__FILE__, line,
              "parse \"%s\": rc %d kind %d fds %d,%d path \"%s\"; expected "
              "rc %d kind %d fds %d,%d path \"%s\"",
              flags ? flags : "(null)", rc, (int)kind, r, w, path, want_rc,
              (int)want_kind, want_r, want_w, want_path);
}

#define NONE_(flags)                                                           \
  parse_case(__LINE__, flags, 0, AS_JOBSERVER_NONE, -1, -1, "")
#define BAD_(flags)                                                            \
  parse_case(__LINE__, flags, AS_EINVAL, AS_JOBSERVER_NONE, -1, -1, "")
#define PIPE_(flags, r, w)                                                     \
  parse_case(__LINE__, flags, 1, AS_JOBSERVER_PIPE, r, w, "")
#define FIFO_(flags, path)                                                     \
  parse_case(__LINE__, flags, 1, AS_JOBSERVER_FIFO, -1, -1, path)

static void parse_forms(void) {
  /* Each make version's own form. */
  PIPE_("ks -j5 --jobserver-auth=3,4", 3, 4);
  FIFO_(" -j5 --jobserver-auth=fifo:/tmp/GMfifo123", "/tmp/GMfifo123");
  PIPE_("w -j8 --jobserver-fds=5,6", 5, 6);
  PIPE_("\t--jobserver-auth=10,11\n", 10, 11);
  /* make quotes blanks and backslashes inside a word with a backslash. */
  FIFO_("--jobserver-auth=fifo:/tmp/a\\ b\\\\c -k", "/tmp/a b\\c");

  /* No jobserver. */
  NONE_(NULL);
  NONE_("");
  NONE_(" -j4 -k");
  NONE_("-j --jobserver-auth=-1,-1");
  NONE_("--jobserver-authx=3,4");
  NONE_("--jobserver-auth 3,4");
  NONE_("-jobserver-auth=3,4");
  NONE_("x--jobserver-auth=3,4");
  NONE_("--jobserver-fd=3,4");

  /* The last option wins, whichever spelling, and only it is checked. */
  PIPE_("--jobserver-fds=3,4 --jobserver-auth=7,8", 7, 8);
  PIPE_("--jobserver-auth=fifo:/a --jobserver-auth=9,10", 9, 10);
  FIFO_("--jobserver-auth=3,4 -j2 --jobserver-auth=fifo:/b", "/b");
  PIPE_("--jobserver-auth=x --jobserver-auth=3,4", 3, 4);
  BAD_("--jobserver-auth=3,4 --jobserver-auth=x");
  NONE_("--jobserver-auth=3,4 --jobserver-fds=-1,-1");

  /* Variable definitions follow a lone "--". */
  NONE_("-j2 -- --jobserver-auth=3,4");
  PIPE_("--jobserver-auth=3,4 -- --jobserver-auth=fifo:/x X=1", 3, 4);
  PIPE_("--jobserver-auth=3,4 -- V=--jobserver-auth=5,6", 3, 4);
  PIPE_("--x --- --jobserver-auth=3,4", 3, 4);

  /* Malformed values. */
  BAD_("--jobserver-auth=3");
  BAD_("--jobserver-auth=a,b");
  BAD_("--jobserver-auth=fifo:");
  BAD_("--jobserver-auth=");
  BAD_("--jobserver-auth=3,");
  BAD_("--jobserver-auth=,4");
  BAD_("--jobserver-auth=3,4,5");
  BAD_("--jobserver-auth=3x,4");
  BAD_("--jobserver-auth=99999999999,4");
  BAD_("--jobserver-fds=fifo:/tmp/x"); /* make <= 4.1 had no FIFO */

  /* A FIFO path must fit the caller's buffer. */
  as_jobserver_kind kind;
  int r, w;
  char small[6];
  CHECK_INT_EQ(as__jobserver_parse("--jobserver-auth=fifo:/tmp/x", &kind, &r,
                                   &w, small, sizeof small),
               AS_EINVAL);
  CHECK_INT_EQ(as__jobserver_parse("--jobserver-auth=fifo:/tmp", &kind, &r, &w,
                                   small, sizeof small),
               1);
  CHECK(strcmp(small, "/tmp") == 0);
  CHECK_INT_EQ(
      as__jobserver_parse("--jobserver-auth=fifo:/tmp", &kind, &r, &w, NULL, 0),
      AS_EINVAL);
}

/* 1 when bytes[0..n) are token_bytes in some order. */
static int same_tokens(const unsigned char *bytes, int n) {
  int count[256] = {0};
  for (int i = 0; i < N; i++) count[token_bytes[i]]++;
  for (int i = 0; i < n; i++) count[bytes[i]]--;
  for (int c = 0; c < 256; c++)
    if (count[c]) return 0;
  return 1;
}

/* Takes what fd holds now without blocking, though fd itself blocks. */
static int drain(int fd, unsigned char *buf, int cap) {
  int n = 0;
  struct pollfd p = {.fd = fd, .events = POLLIN};
  while (n < cap && poll(&p, 1, 0) == 1 && (p.revents & POLLIN) &&
         read(fd, buf + n, 1) == 1)
    n++;
  return n;
}

static void put_tokens(int fd) { CHECK_INT_EQ(write(fd, token_bytes, N), N); }

static int is_blocking(int fd) { return !(fcntl(fd, F_GETFL) & O_NONBLOCK); }
static int is_cloexec(int fd) { return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0; }
static int is_open(int fd) { return fcntl(fd, F_GETFD) >= 0; }

static void set_makeflags(const char *fmt, int a, int b) {
  char text[256];
  snprintf(text, sizeof text, fmt, a, b);
  setenv("MAKEFLAGS", text, 1);
}

/* Takes every token (asking for more than there are), finds none left, and
 * gives them back; then own_fd, the jobserver's side, must hold exactly the
 * bytes it started with. Leaves the jobserver empty. */
static void round_trip(as_jobserver *js, int own_fd) {
  unsigned char got[N + 3], none[4], back[2 * N];
  int n = as__jobserver_acquire(js, N + 3, got);
  CHECK_INT_EQ(n, N);
  CHECK(same_tokens(got, n));
  CHECK_INT_EQ(as__jobserver_acquire(js, 4, none), 0);
  CHECK_INT_EQ(as__jobserver_acquire(js, 0, none), 0);
  as__jobserver_release(js, got, n);

  /* One at a time, then the rest; given back in pieces. */
  int a = as__jobserver_acquire(js, 1, got);
  CHECK_INT_EQ(a, 1);
  a += as__jobserver_acquire(js, 1, got + a);
  CHECK_INT_EQ(a, 2);
  int b = as__jobserver_acquire(js, N + 1, got + a);
  CHECK_INT_EQ(b, N - 2);
  CHECK(same_tokens(got, a + b));
  as__jobserver_release(js, got, a);
  as__jobserver_release(js, got + a, b);

  int back_n = drain(own_fd, back, (int)sizeof back);
  CHECK_INT_EQ(back_n, N);
  CHECK(same_tokens(back, back_n));
}

static void check_closes(as_jobserver *js) {
  int rfd = js->read_fd, wfd = js->write_fd;
  as__jobserver_close(js);
  CHECK_INT_EQ(js->read_fd, -1);
  CHECK_INT_EQ(js->write_fd, -1);
  CHECK_INT_EQ(js->reachable, 0);
  CHECK(!is_open(rfd));
  CHECK(!is_open(wfd));
  as__jobserver_close(js);
  unsigned char t[1];
  CHECK_INT_EQ(as__jobserver_acquire(js, 1, t), 0);
}

static void pipe_jobserver(void) {
  int fds[2];
  if (pipe(fds) != 0) {
    TEST_FAIL("pipe: %s", strerror(errno));
    return;
  }
  put_tokens(fds[1]);
  set_makeflags(" -j5 --jobserver-auth=%d,%d", fds[0], fds[1]);
  as_jobserver js;
  CHECK_INT_EQ(as__jobserver_open(&js), 0);
  printf("pipe: %s\n", js.detail);
  CHECK_INT_EQ(js.kind, AS_JOBSERVER_PIPE);
  CHECK_INT_EQ(js.reachable, 1);
  char want[32];
  snprintf(want, sizeof want, "pipe %d,%d", fds[0], fds[1]);
  CHECK(strcmp(js.detail, want) == 0);
  /* Descriptors of our own, never make's. */
  CHECK(js.read_fd >= 0 && js.read_fd != fds[0] && js.read_fd != fds[1]);
  CHECK(js.write_fd >= 0 && js.write_fd != fds[0] && js.write_fd != fds[1]);
  CHECK(js.read_fd != js.write_fd);
  CHECK(is_cloexec(js.read_fd) && is_cloexec(js.write_fd));
  CHECK(!is_blocking(js.read_fd));

  round_trip(&js, fds[0]);
  /* Make and its other clients still see a blocking pipe. */
  CHECK(is_blocking(fds[0]));
  CHECK(is_blocking(fds[1]));

  check_closes(&js);
  CHECK(is_open(fds[0]) && is_open(fds[1]));
  close(fds[0]);
  close(fds[1]);
}

static void fifo_jobserver(const char *dir) {
  char path[256];
  snprintf(path, sizeof path, "%s/fifo", dir);
  if (mkfifo(path, 0600) != 0) {
    TEST_FAIL("mkfifo %s: %s", path, strerror(errno));
    return;
  }
  /* Make 4.4 keeps the FIFO open read-write for as long as it runs. */
  int own = open(path, O_RDWR | O_CLOEXEC);
  CHECK(own >= 0);
  put_tokens(own);
  char flags[300];
  snprintf(flags, sizeof flags, " -j5 --jobserver-auth=fifo:%s", path);
  setenv("MAKEFLAGS", flags, 1);
  as_jobserver js;
  CHECK_INT_EQ(as__jobserver_open(&js), 0);
  printf("fifo: %s\n", js.detail);
  CHECK_INT_EQ(js.kind, AS_JOBSERVER_FIFO);
  CHECK_INT_EQ(js.reachable, 1);
  CHECK(strcmp(js.detail, flags + strlen(" -j5 --jobserver-auth=")) == 0);
  CHECK(js.read_fd >= 0 && js.read_fd != own);
  CHECK_INT_EQ(js.write_fd, js.read_fd);
  CHECK(is_cloexec(js.read_fd));
  CHECK(!is_blocking(js.read_fd));

  round_trip(&js, own);
  CHECK(is_blocking(own));

  check_closes(&js);
  close(own);
  unlink(path);
}

static void no_jobserver(void) {
  as_jobserver js;
  unsigned char t[4] = {'+', '+', '+', '+'};
  unsetenv("MAKEFLAGS");
  unsetenv("MFLAGS");
  CHECK_INT_EQ(as__jobserver_open(&js), 0);
  CHECK_INT_EQ(js.kind, AS_JOBSERVER_NONE);
  CHECK_INT_EQ(js.reachable, 0);
  CHECK_INT_EQ(js.read_fd, -1);
  CHECK_INT_EQ(js.write_fd, -1);

  setenv("MAKEFLAGS", " -j4 -k", 1);
  CHECK_INT_EQ(as__jobserver_open(&js), 0);
  CHECK_INT_EQ(js.kind, AS_JOBSERVER_NONE);
  CHECK_INT_EQ(as__jobserver_acquire(&js, 4, t), 0);
  as__jobserver_release(&js, t, 4);
  as__jobserver_close(&js);
  as__jobserver_close(&js);

  setenv("MAKEFLAGS", " -j4 --jobserver-auth=3", 1);
  CHECK_INT_EQ(as__jobserver_open(&js), AS_EINVAL);
  CHECK_INT_EQ(js.kind, AS_JOBSERVER_NONE);
  CHECK_INT_EQ(js.reachable, 0);
  CHECK(strstr(js.detail, "MAKEFLAGS") != NULL);
  CHECK_INT_EQ(as__jobserver_acquire(&js, 4, t), 0);
  as__jobserver_close(&js);

  /* A zeroed js holds descriptor 0 in name only: close leaves stdin be. */
  int stdin_open = is_open(0);
  as_jobserver zero = {0};
  CHECK_INT_EQ(as__jobserver_acquire(&zero, 4, t), 0);
  as__jobserver_release(&zero, t, 4);
  as__jobserver_close(&zero);
  CHECK_INT_EQ(is_open(0), stdin_open);
}

/* MFLAGS is read only when MAKEFLAGS is unset. */
static void mflags_fallback(void) {
  int fds[2];
  if (pipe(fds) != 0) {
    TEST_FAIL("pipe: %s", strerror(errno));
    return;
  }
  char text[64];
  snprintf(text, sizeof text, "-j5 --jobserver-auth=%d,%d", fds[0], fds[1]);
  unsetenv("MAKEFLAGS");
  setenv("MFLAGS", text, 1);
  as_jobserver js;
  CHECK_INT_EQ(as__jobserver_open(&js), 0);
  CHECK_INT_EQ(js.kind, AS_JOBSERVER_PIPE);
  CHECK_INT_EQ(js.reachable, 1);
  as__jobserver_close(&js);

  setenv("MAKEFLAGS", " -j4", 1);
  CHECK_INT_EQ(as__jobserver_open(&js), 0);
  CHECK_INT_EQ(js.kind, AS_JOBSERVER_NONE);
  unsetenv("MFLAGS");
  close(fds[0]);
  close(fds[1]);
}

/* MAKEFLAGS as set names a jobserver that open must find unusable. */
static void expect_unreachable(int line, as_jobserver_kind kind,
                               const char *why) {
  as_jobserver js;
  unsigned char t[4];
  int rc = as__jobserver_open(&js);
  printf("unreachable, %s: %s\n", why, js.detail);
  if (rc != 0 || js.kind != kind || js.reachable != 0 || js.read_fd != -1 ||
      js.write_fd != -1 || !js.detail[0])
    test_fail(__FILE__, line,
              "%s: rc %d kind %d reachable %d fds %d,%d detail \"%s\"", why, rc,
              (int)js.kind, js.reachable, js.read_fd, js.write_fd, js.detail);
  CHECK_INT_EQ(as__jobserver_acquire(&js, 4, t), 0);
  as__jobserver_close(&js);
  as__jobserver_close(&js);
}

static void unreachable(const char *dir) {
  int closed[2], a[2], b[2];
  if (pipe(closed) != 0 || pipe(a) != 0 || pipe(b) != 0) {
    TEST_FAIL("pipe: %s", strerror(errno));
    return;
  }
  close(closed[0]);
  close(closed[1]);
  set_makeflags(" -j5 --jobserver-auth=%d,%d", closed[0], closed[1]);
  expect_unreachable(__LINE__, AS_JOBSERVER_PIPE, "fds closed");

  /* Tokens in a, which none of the cases below may take. */
  put_tokens(a[1]);
  set_makeflags(" -j5 --jobserver-auth=%d,%d", a[0], closed[1]);
  expect_unreachable(__LINE__, AS_JOBSERVER_PIPE, "write fd closed");
  set_makeflags(" -j5 --jobserver-auth=%d,%d", a[0], b[1]);
  expect_unreachable(__LINE__, AS_JOBSERVER_PIPE, "ends of two pipes");
  set_makeflags(" -j5 --jobserver-auth=%d,%d", a[1], a[0]);
  expect_unreachable(__LINE__, AS_JOBSERVER_PIPE, "ends swapped");
  unsigned char back[2 * N];
  int n = drain(a[0], back, (int)sizeof back);
  CHECK_INT_EQ(n, N);
  CHECK(same_tokens(back, n));

  char file[256];
  snprintf(file, sizeof file, "%s/regular", dir);
  int f = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  CHECK(f >= 0);
  set_makeflags(" -j5 --jobserver-auth=%d,%d", f, f);
  expect_unreachable(__LINE__, AS_JOBSERVER_PIPE, "a regular file");

  char flags[300];
  snprintf(flags, sizeof flags, " -j5 --jobserver-auth=fifo:%s", file);
  setenv("MAKEFLAGS", flags, 1);
  expect_unreachable(__LINE__, AS_JOBSERVER_FIFO, "fifo a regular file");
  snprintf(flags, sizeof flags, " -j5 --jobserver-auth=fifo:%s/missing", dir);
  setenv("MAKEFLAGS", flags, 1);
  expect_unreachable(__LINE__, AS_JOBSERVER_FIFO, "fifo missing");

  close(f);
  unlink(file);
  close(a[0]);
  close(a[1]);
  close(b[0]);
  close(b[1]);
}

/* Counters both processes update in shared memory. */
typedef struct shared_counts {
  atomic_int held;     /* tokens held by either process right now */
  atomic_int max_held; /* the most ever held at once */
  atomic_int taken[2]; /* acquisitions by the parent, the child */
  atomic_int foreign;  /* bytes read that were never a token */
} shared_counts;

/* Takes and gives back tokens in a loop, as the runtime's threads would. */
static void churn(shared_counts *s, int who, uint64_t seed) {
  as_jobserver js;
  as__jobserver_open(&js);
  CHECK_INT_EQ(js.reachable, 1);
  test_rng rng = {seed};
  unsigned char t[3];
  for (int i = 0; i < 20000; i++) {
    int n = as__jobserver_acquire(&js, 1 + (int)test_below(&rng, 3), t);
    int held = atomic_fetch_add(&s->held, n) + n;
    int seen = atomic_load(&s->max_held);
    while (held > seen &&
           !atomic_compare_exchange_weak(&s->max_held, &seen, held)) {
    }
    atomic_fetch_add(&s->taken[who], n);
    for (int k = 0; k < n; k++)
      if (!memchr(token_bytes, t[k], N)) atomic_fetch_add(&s->foreign, 1);
    if (test_chance(&rng, 0.5)) sched_yield();
    atomic_fetch_sub(&s->held, n);
    as__jobserver_release(&js, t, n);
  }
  as__jobserver_close(&js);
}

static void concurrent_with_child(uint64_t seed) {
  int fds[2];
  if (pipe(fds) != 0) {
    TEST_FAIL("pipe: %s", strerror(errno));
    return;
  }
  put_tokens(fds[1]);
  set_makeflags(" -j6 --jobserver-auth=%d,%d", fds[0], fds[1]);
  shared_counts *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (s == MAP_FAILED) {
    TEST_FAIL("mmap: %s", strerror(errno));
    return;
  }
  atomic_init(&s->held, 0);
  atomic_init(&s->max_held, 0);
  atomic_init(&s->taken[0], 0);
  atomic_init(&s->taken[1], 0);
  atomic_init(&s->foreign, 0);

  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    alarm(10); /* alarms are not inherited */
    churn(s, 1, seed + 1);
    _exit(test_failures != 0);
  }
  CHECK(pid > 0);
  churn(s, 0, seed);
  int status = 0;
  if (pid > 0) {
    CHECK_INT_EQ(waitpid(pid, &status, 0), pid);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "child: status 0x%x", status);
  }
  printf("concurrent: parent took %d, child %d, at most %d held at once\n",
         atomic_load(&s->taken[0]), atomic_load(&s->taken[1]),
         atomic_load(&s->max_held));
  CHECK(atomic_load(&s->max_held) <= N);
  CHECK(atomic_load(&s->taken[0]) > 0);
  CHECK(atomic_load(&s->taken[1]) > 0);
  CHECK_INT_EQ(atomic_load(&s->foreign), 0);

  unsigned char back[2 * N];
  int n = drain(fds[0], back, (int)sizeof back);
  CHECK_INT_EQ(n, N);
  CHECK(same_tokens(back, n));
  munmap(s, sizeof *s);
  close(fds[0]);
  close(fds[1]);
}

int main(void) {
  alarm(10); /* a read that blocks fails the test instead of hanging it */
  uint64_t seed = test_seed();
  char dir[] = "/tmp/test_jobserver.XXXXXX";
  if (!mkdtemp(dir)) {
    fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
    return 1;
  }
  parse_forms();
  pipe_jobserver();
  fifo_jobserver(dir);
  no_jobserver();
  mflags_fallback();
  unreachable(dir);
  concurrent_with_child(seed);
  rmdir(dir);
  return test_finish("test_jobserver");
}
