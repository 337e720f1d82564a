/* GPU slots: the configured count, slots taken and given back within one
 * process, processes racing for them (never more holders than slots), a
 * killed holder's slots coming free, exec not passing a slot on, and the
 * lock directory's checks. Every case works in a directory of its own under
 * a mkdtemp root, named by ACCELSTRAT_GPU_SLOT_DIR. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <accelstrat/config.h>
#include <accelstrat/error.h>

#include "gpu/slots.h"
#include "test_util.h"

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* fork(), with the child (which inherits no alarm) bounded like the test. */
static pid_t fork_bounded(void) {
  pid_t pid = fork();
  if (pid == 0) alarm(30);
  return pid;
}

static void sleep_us(long us) {
  struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

/* ACCELSTRAT_GPU_SLOT_DIR = root/name (not created here), its path in dir. */
static void use_dir(const char *root, const char *name, char *dir, size_t len) {
  snprintf(dir, len, "%s/%s", root, name);
  setenv("ACCELSTRAT_GPU_SLOT_DIR", dir, 1);
}

/* 1 when another holder has path locked, 0 when it is free, -1 when it
 * cannot be opened: flock through a descriptor of our own, which conflicts
 * with every other open of the file, ours included. */
static int locked_elsewhere(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  int held = flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close(fd);
  return held;
}

static void configured_count(void) {
  char err[256];
  unsetenv("ACCELSTRAT_GPU_SLOTS");
  CHECK_INT_EQ(as__gpu_slots_configured(err, sizeof err),
               AS__GPU_SLOTS_DEFAULT);
  CHECK_INT_EQ(AS__GPU_SLOTS_DEFAULT, 2);
  CHECK_MSG(err[0] == '\0', "unset gave message \"%s\"", err);

  static const struct {
    const char *value;
    int slots;
  } good[] = {{"1", 1}, {"2", 2}, {"7", 7}, {"64", 64}};
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    setenv("ACCELSTRAT_GPU_SLOTS", good[i].value, 1);
    strcpy(err, "stale");
    int got = as__gpu_slots_configured(err, sizeof err);
    CHECK_MSG(got == good[i].slots, "\"%s\" gave %d", good[i].value, got);
    CHECK_MSG(err[0] == '\0', "\"%s\" gave message \"%s\"", good[i].value, err);
  }

  static const char *const bad[] = {"0",  "65", "-1", "abc",
                                    "2x", "",   " 2", "99999999999999999999"};
  /* A bad value is refused, never taken for the default: slot acquisition
   * fails with the message, and so does the environment check tools call. */
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    setenv("ACCELSTRAT_GPU_SLOTS", bad[i], 1);
    err[0] = '\0';
    int got = as__gpu_slots_configured(err, sizeof err);
    CHECK_MSG(got == AS_EINVAL, "\"%s\" gave %d", bad[i], got);
    CHECK_MSG(strstr(err, "ACCELSTRAT_GPU_SLOTS") && strstr(err, "1 to 64"),
              "\"%s\" gave message \"%s\"", bad[i], err);
    CHECK_INT_EQ(as__gpu_slots_configured(NULL, 0), AS_EINVAL);
    as_gpu_slot s;
    CHECK_INT_EQ(as__gpu_slot_acquire("cuda-0", &s, err, sizeof err),
                 AS_EINVAL);
    CHECK(strstr(err, "ACCELSTRAT_GPU_SLOTS") != NULL);
    CHECK_INT_EQ(as_config_check_environment(err, sizeof err), AS_EINVAL);
  }
  unsetenv("ACCELSTRAT_GPU_SLOTS");
  CHECK_INT_EQ(as_config_check_environment(err, sizeof err), 0);
}

static void slot_directory_name(void) {
  char buf[64];
  const char *dir;
  unsetenv("ACCELSTRAT_GPU_SLOT_DIR");
  dir = as__gpu_slot_dir(buf, sizeof buf);
  CHECK(dir && strcmp(dir, "/tmp/accelstrat-gpu-slots") == 0);
  setenv("ACCELSTRAT_GPU_SLOT_DIR", "", 1);
  dir = as__gpu_slot_dir(buf, sizeof buf);
  CHECK(dir && strcmp(dir, "/tmp/accelstrat-gpu-slots") == 0);
  setenv("ACCELSTRAT_GPU_SLOT_DIR", "/var/x//", 1);
  dir = as__gpu_slot_dir(buf, sizeof buf);
  CHECK(dir && strcmp(dir, "/var/x") == 0);
  setenv("ACCELSTRAT_GPU_SLOT_DIR", "/", 1);
  dir = as__gpu_slot_dir(buf, sizeof buf);
  CHECK(dir && strcmp(dir, "/") == 0);
  setenv("ACCELSTRAT_GPU_SLOT_DIR", "/var/x", 1);
  CHECK(as__gpu_slot_dir(buf, 6) == NULL);
  dir = as__gpu_slot_dir(buf, 7);
  CHECK(dir && strcmp(dir, "/var/x") == 0);
}

static void within_one_process(const char *root) {
  char dir[512], path[600], detail[512];
  use_dir(root, "one", dir, sizeof dir);
  setenv("ACCELSTRAT_GPU_SLOTS", "2", 1);
  /* The modes must not depend on the umask. */
  mode_t umask_was = umask(077);

  as_gpu_slot a, b, c, d;
  CHECK_INT_EQ(as__gpu_slot_acquire("cuda-0", &a, detail, sizeof detail), 0);
  CHECK_INT_EQ(a.total, 2);
  CHECK_INT_EQ(a.index, getpid() % 2);
  snprintf(path, sizeof path, "%s/cuda-0.%d.lock", dir, a.index);
  CHECK_MSG(strcmp(a.path, path) == 0, "path %s, expected %s", a.path, path);
  CHECK(a.fd >= 0 && (fcntl(a.fd, F_GETFD) & FD_CLOEXEC));
  struct stat st;
  CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode));
  CHECK_MSG((st.st_mode & 07777) == 01777, "made %s mode %o", dir,
            (unsigned)(st.st_mode & 07777));
  CHECK(stat(a.path, &st) == 0 && S_ISREG(st.st_mode));
  CHECK_MSG((st.st_mode & 0777) == 0666, "made %s mode %o", a.path,
            (unsigned)(st.st_mode & 0777));
  umask(umask_was);
  CHECK_INT_EQ(locked_elsewhere(a.path), 1);

  CHECK_INT_EQ(as__gpu_slot_acquire("cuda-0", &b, detail, sizeof detail), 0);
  CHECK_MSG(b.index != a.index && b.index >= 0 && b.index < 2,
            "second slot %d, first %d", b.index, a.index);
  CHECK_INT_EQ(as__gpu_slot_acquire("cuda-0", &c, detail, sizeof detail),
               AS_EGPU_BUSY);
  CHECK_INT_EQ(c.fd, -1);
  CHECK_INT_EQ(c.index, -1);
  CHECK_MSG(strstr(detail, "all 2 GPU slots of cuda-0 are held") &&
                strstr(detail, dir),
            "busy detail \"%s\"", detail);

  /* Another device's slots are its own. */
  CHECK_INT_EQ(as__gpu_slot_acquire("sim-0", &d, detail, sizeof detail), 0);
  CHECK_INT_EQ(d.index, getpid() % 2);

  int freed = a.index, freed_fd = a.fd;
  snprintf(path, sizeof path, "%s", a.path);
  as__gpu_slot_release(&a);
  CHECK_INT_EQ(a.fd, -1);
  CHECK_INT_EQ(a.index, -1);
  CHECK(fcntl(freed_fd, F_GETFD) == -1 && errno == EBADF);
  as__gpu_slot_release(&a);
  as__gpu_slot_release(NULL);
  as_gpu_slot none = AS__GPU_SLOT_NONE;
  as__gpu_slot_release(&none);
  CHECK_INT_EQ(locked_elsewhere(path), 0);
  CHECK_INT_EQ(as__gpu_slot_acquire("cuda-0", &c, detail, sizeof detail), 0);
  CHECK_INT_EQ(c.index, freed);
  CHECK_MSG(detail[0] == '\0', "success left detail \"%s\"", detail);
  as__gpu_slot_release(&b);
  as__gpu_slot_release(&c);
  as__gpu_slot_release(&d);

  setenv("ACCELSTRAT_GPU_SLOTS", "1", 1);
  CHECK_INT_EQ(as__gpu_slot_acquire("cuda-1", &a, NULL, 0), 0);
  CHECK_INT_EQ(a.index, 0);
  CHECK_INT_EQ(as__gpu_slot_acquire("cuda-1", &b, NULL, 0), AS_EGPU_BUSY);
  as__gpu_slot_release(&a);
  setenv("ACCELSTRAT_GPU_SLOTS", "2", 1);
}

static void keys_stay_in_the_directory(const char *root) {
  char dir[512], path[600], detail[512];
  use_dir(root, "keys", dir, sizeof dir);
  setenv("ACCELSTRAT_GPU_SLOTS", "2", 1);
  as_gpu_slot s;
  CHECK_INT_EQ(as__gpu_slot_acquire("cuda:0/../x", &s, detail, sizeof detail),
               0);
  snprintf(path, sizeof path, "%s/cuda0..x.%d.lock", dir, s.index);
  CHECK_MSG(strcmp(s.path, path) == 0, "path %s, expected %s", s.path, path);
  size_t n = strlen(dir);
  CHECK(strncmp(s.path, dir, n) == 0 && s.path[n] == '/' &&
        !strchr(s.path + n + 1, '/'));
  CHECK(access(path, F_OK) == 0);
  snprintf(path, sizeof path, "%s/x.%d.lock", root, s.index);
  CHECK(access(path, F_OK) != 0);
  as__gpu_slot_release(&s);

  CHECK_INT_EQ(as__gpu_slot_acquire(":/ ", &s, detail, sizeof detail),
               AS_EINVAL);
  CHECK_INT_EQ(s.fd, -1);
  CHECK_INT_EQ(as__gpu_slot_acquire(NULL, &s, detail, sizeof detail),
               AS_EINVAL);
  CHECK_INT_EQ(as__gpu_slot_acquire("cuda-0", NULL, detail, sizeof detail),
               AS_EINVAL);
  char long_key[400];
  memset(long_key, 'k', sizeof long_key - 1);
  long_key[sizeof long_key - 1] = '\0';
  CHECK_INT_EQ(as__gpu_slot_acquire(long_key, &s, detail, sizeof detail),
               AS_EIO);
  CHECK_MSG(strstr(detail, "too long"), "long key detail \"%s\"", detail);
}

enum { RACERS = 6, MAX_WINDOWS = 256 };

/* While it holds a slot, a racer counts itself in held and records when:
 * from after its acquire returned to before it released, so the windows lie
 * within the time it really held the lock. */
typedef struct race_page {
  atomic_int attempted, held, max_held;
  struct racer {
    int first_rc, got, busy, failed, windows;
    uint64_t start[MAX_WINDOWS], end[MAX_WINDOWS];
  } racer[RACERS];
} race_page;

static void count_in(race_page *p) {
  int now = atomic_fetch_add(&p->held, 1) + 1;
  int max = atomic_load(&p->max_held);
  while (now > max && !atomic_compare_exchange_weak(&p->max_held, &max, now)) {
  }
}

static void count_out(race_page *p, struct racer *me, uint64_t start) {
  if (me->windows < MAX_WINDOWS) {
    me->start[me->windows] = start;
    me->end[me->windows++] = now_ns();
  }
  atomic_fetch_sub(&p->held, 1);
}

/* Round one: every racer tries once, and the holders keep their slot until
 * all have tried, so exactly as many succeed as there are slots. Round two:
 * 300 ms of taking, holding briefly and giving back. */
static int race(race_page *p, int r, int go_fd) {
  struct racer *me = &p->racer[r];
  char c;
  if (read(go_fd, &c, 1) != 0) return 3;
  as_gpu_slot s;
  me->first_rc = as__gpu_slot_acquire("cuda-0", &s, NULL, 0);
  uint64_t start = now_ns();
  if (me->first_rc == 0) count_in(p);
  atomic_fetch_add(&p->attempted, 1);
  if (me->first_rc == 0) {
    uint64_t give_up = now_ns() + 10000000000u;
    while (atomic_load(&p->attempted) < RACERS && now_ns() < give_up)
      sleep_us(500);
    count_out(p, me, start);
    as__gpu_slot_release(&s);
  }

  uint64_t stop = now_ns() + 300000000u;
  while (now_ns() < stop && me->windows < MAX_WINDOWS) {
    int rc = as__gpu_slot_acquire("cuda-0", &s, NULL, 0);
    if (rc == 0) {
      start = now_ns();
      count_in(p);
      sleep_us(200 + 150 * r);
      count_out(p, me, start);
      as__gpu_slot_release(&s);
      me->got++;
    } else if (rc == AS_EGPU_BUSY) {
      me->busy++;
      sleep_us(100);
    } else {
      me->failed++;
    }
  }
  return 0;
}

/* The most windows open at one instant: the most that contain some
 * window's start. */
static int most_overlapping(const race_page *p) {
  int most = 0;
  for (int r = 0; r < RACERS; r++)
    for (int i = 0; i < p->racer[r].windows; i++) {
      uint64_t t = p->racer[r].start[i];
      int open = 0;
      for (int q = 0; q < RACERS; q++)
        for (int j = 0; j < p->racer[q].windows; j++)
          open += p->racer[q].start[j] <= t && t < p->racer[q].end[j];
      if (open > most) most = open;
    }
  return most;
}

static void racing_processes(const char *root) {
  char dir[512];
  use_dir(root, "race", dir, sizeof dir);
  setenv("ACCELSTRAT_GPU_SLOTS", "2", 1);
  race_page *p = mmap(NULL, sizeof *p, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    TEST_FAIL("mmap: %s", strerror(errno));
    return;
  }
  int go[2];
  if (pipe2(go, O_CLOEXEC) != 0) {
    TEST_FAIL("pipe2: %s", strerror(errno));
    return;
  }
  pid_t pids[RACERS];
  for (int r = 0; r < RACERS; r++) {
    pids[r] = fork_bounded();
    if (pids[r] == 0) {
      close(go[1]);
      _exit(race(p, r, go[0]));
    }
    CHECK(pids[r] > 0);
  }
  /* All start at once: their reads return at end of file. */
  close(go[0]);
  close(go[1]);
  for (int r = 0; r < RACERS; r++) {
    int status = 0;
    if (pids[r] > 0 && waitpid(pids[r], &status, 0) == pids[r])
      CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                "racer %d ended with status %#x", r, (unsigned)status);
  }

  int first_got = 0, first_busy = 0, got = 0, busy = 0, failed = 0;
  int windows = 0;
  for (int r = 0; r < RACERS; r++) {
    first_got += p->racer[r].first_rc == 0;
    first_busy += p->racer[r].first_rc == AS_EGPU_BUSY;
    got += p->racer[r].got;
    busy += p->racer[r].busy;
    failed += p->racer[r].failed;
    windows += p->racer[r].windows;
  }
  int overlap = most_overlapping(p);
  printf("race: round one %d got, %d busy; round two %d got, %d busy; "
         "most held at once %d (counter), %d (windows)\n",
         first_got, first_busy, got, busy, atomic_load(&p->max_held), overlap);
  CHECK_INT_EQ(first_got, 2);
  CHECK_INT_EQ(first_busy, RACERS - 2);
  CHECK_INT_EQ(atomic_load(&p->max_held), 2);
  CHECK_INT_EQ(overlap, 2);
  CHECK_INT_EQ(atomic_load(&p->held), 0);
  CHECK_INT_EQ(failed, 0);
  CHECK(got >= 1);
  CHECK(windows == first_got + got || windows == RACERS * MAX_WINDOWS);
  munmap(p, sizeof *p);
}

static void killed_holder_frees_its_slots(const char *root) {
  char dir[512], detail[512];
  use_dir(root, "killed", dir, sizeof dir);
  setenv("ACCELSTRAT_GPU_SLOTS", "2", 1);
  int up[2], down[2];
  if (pipe2(up, O_CLOEXEC) != 0 || pipe2(down, O_CLOEXEC) != 0) {
    TEST_FAIL("pipe2: %s", strerror(errno));
    return;
  }
  pid_t pid = fork_bounded();
  if (pid == 0) {
    close(up[0]);
    close(down[1]);
    as_gpu_slot a, b;
    char both = as__gpu_slot_acquire("cuda-0", &a, NULL, 0) == 0 &&
                as__gpu_slot_acquire("cuda-0", &b, NULL, 0) == 0;
    char c;
    if (write(up[1], &both, 1) != 1 || read(down[0], &c, 1) < 0) _exit(2);
    raise(SIGKILL);
    _exit(3);
  }
  if (pid < 0) {
    TEST_FAIL("fork: %s", strerror(errno));
    return;
  }
  close(up[1]);
  close(down[0]);
  char both = 0;
  CHECK(read(up[0], &both, 1) == 1 && both);
  as_gpu_slot a, b;
  CHECK_INT_EQ(as__gpu_slot_acquire("cuda-0", &a, detail, sizeof detail),
               AS_EGPU_BUSY);
  close(down[1]);
  close(up[0]);
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
            "holder ended with status %#x", (unsigned)status);
  CHECK_INT_EQ(as__gpu_slot_acquire("cuda-0", &a, detail, sizeof detail), 0);
  CHECK_INT_EQ(as__gpu_slot_acquire("cuda-0", &b, detail, sizeof detail), 0);
  as__gpu_slot_release(&a);
  as__gpu_slot_release(&b);
}

/* A child takes the only slot, starts a grandchild that runs `sleep 5`
 * (exec) or just waits (no exec), and exits without releasing: the
 * grandchild's pid, or -1. The grandchild is ours to reap (subreaper). */
static pid_t hand_down_slot(int exec_sleep) {
  int result[2];
  if (pipe2(result, O_CLOEXEC) != 0) return -1;
  pid_t pid = fork_bounded();
  if (pid == 0) {
    close(result[0]);
    as_gpu_slot s;
    int sync[2];
    if (as__gpu_slot_acquire("cuda-0", &s, NULL, 0) != 0 ||
        pipe2(sync, O_CLOEXEC) != 0)
      _exit(2);
    pid_t g = fork_bounded();
    if (g == 0) {
      close(sync[0]);
      close(result[1]);
      if (exec_sleep) execlp("sleep", "sleep", "5", (char *)NULL);
      for (;;) pause();
    }
    close(sync[1]);
    /* End of file once the grandchild has exec'd (or died). */
    char c;
    if (exec_sleep && read(sync[0], &c, 1) != 0) _exit(3);
    _exit(write(result[1], &g, sizeof g) == sizeof g ? 0 : 4);
  }
  if (pid < 0) return -1;
  close(result[1]);
  pid_t g = -1;
  if (read(result[0], &g, sizeof g) != sizeof g) g = -1;
  close(result[0]);
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
            "slot holder ended with status %#x", (unsigned)status);
  return g;
}

static void end_grandchild(pid_t g) {
  kill(g, SIGKILL);
  waitpid(g, NULL, 0);
}

static void exec_does_not_pass_slots_on(const char *root) {
  char dir[512], detail[512];
  use_dir(root, "exec", dir, sizeof dir);
  setenv("ACCELSTRAT_GPU_SLOTS", "1", 1);
  as_gpu_slot s;

  /* Without exec the grandchild shares the holder's descriptor and keeps the
   * slot: what the exec case would see, were the lock inherited. */
  pid_t g = hand_down_slot(0);
  CHECK(g > 0);
  if (g > 0) {
    CHECK_INT_EQ(as__gpu_slot_acquire("cuda-0", &s, detail, sizeof detail),
                 AS_EGPU_BUSY);
    end_grandchild(g);
    CHECK_INT_EQ(as__gpu_slot_acquire("cuda-0", &s, detail, sizeof detail), 0);
    as__gpu_slot_release(&s);
  }

  g = hand_down_slot(1);
  CHECK(g > 0);
  if (g > 0) {
    /* exec closes the descriptors all at once but one by one: allow the
     * lock's a moment after the pipe's; `sleep 5` runs far longer. */
    int rc = AS_EGPU_BUSY;
    for (int i = 0; i < 100 && rc == AS_EGPU_BUSY; i++) {
      rc = as__gpu_slot_acquire("cuda-0", &s, detail, sizeof detail);
      if (rc == AS_EGPU_BUSY) sleep_us(10000);
    }
    CHECK_MSG(rc == 0, "slot not free after the holder's exec: %s", detail);
    CHECK_MSG(waitpid(g, NULL, WNOHANG) == 0,
              "grandchild no longer running (could it not exec sleep?)");
    as__gpu_slot_release(&s);
    end_grandchild(g);
  }
  setenv("ACCELSTRAT_GPU_SLOTS", "2", 1);
}

static void expect_dir_refused(const char *dir, const char *why) {
  char detail[1024];
  as_gpu_slot s;
  setenv("ACCELSTRAT_GPU_SLOT_DIR", dir, 1);
  CHECK_INT_EQ(as__gpu_slot_acquire("cuda-0", &s, detail, sizeof detail),
               AS_EIO);
  CHECK_INT_EQ(s.fd, -1);
  CHECK_MSG(strstr(detail, dir) && strstr(detail, why),
            "%s: detail \"%s\", expected the path and \"%s\"", dir, detail,
            why);
}

static void bad_directories_and_files(const char *root) {
  char path[600], target[600], detail[1024];
  setenv("ACCELSTRAT_GPU_SLOTS", "1", 1);

  snprintf(path, sizeof path, "%s/plain-file", root);
  int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  CHECK(fd >= 0);
  if (fd >= 0) close(fd);
  expect_dir_refused(path, "not a directory");

  snprintf(target, sizeof target, "%s/real", root);
  CHECK(mkdir(target, 0700) == 0);
  snprintf(path, sizeof path, "%s/link", root);
  CHECK(symlink(target, path) == 0);
  expect_dir_refused(path, "symlink");
  CHECK(access(path, F_OK) == 0);
  snprintf(path, sizeof path, "%s/link/", root);
  setenv("ACCELSTRAT_GPU_SLOT_DIR", path, 1);
  as_gpu_slot s;
  CHECK_INT_EQ(as__gpu_slot_acquire("cuda-0", &s, detail, sizeof detail),
               AS_EIO);
  snprintf(path, sizeof path, "%s/dangling", root);
  CHECK(symlink("no-such-dir", path) == 0);
  expect_dir_refused(path, "symlink");

  snprintf(path, sizeof path, "%s/missing/sub", root);
  expect_dir_refused(path, strerror(ENOENT));

  /* A directory someone else made keeps its mode. */
  CHECK_INT_EQ(chmod(target, 0700), 0);
  setenv("ACCELSTRAT_GPU_SLOT_DIR", target, 1);
  CHECK_INT_EQ(as__gpu_slot_acquire("cuda-0", &s, detail, sizeof detail), 0);
  as__gpu_slot_release(&s);
  struct stat st;
  CHECK(stat(target, &st) == 0 && (st.st_mode & 07777) == 0700);

  /* Lock files planted in a shared directory: a symlink is not followed,
   * whether to a file that exists (not locked in its stead) or not (not
   * made); a FIFO does not hang the open. */
  char planted[700];
  snprintf(path, sizeof path, "%s/plain-file", root);
  snprintf(planted, sizeof planted, "%s/evil.0.lock", target);
  CHECK(symlink(path, planted) == 0);
  CHECK_INT_EQ(as__gpu_slot_acquire("evil", &s, detail, sizeof detail), AS_EIO);
  CHECK_MSG(strstr(detail, planted) && strstr(detail, "symlink"),
            "planted symlink: detail \"%s\"", detail);
  CHECK_INT_EQ(locked_elsewhere(path), 0);
  snprintf(path, sizeof path, "%s/elsewhere", root);
  snprintf(planted, sizeof planted, "%s/evil2.0.lock", target);
  CHECK(symlink(path, planted) == 0);
  CHECK_INT_EQ(as__gpu_slot_acquire("evil2", &s, detail, sizeof detail),
               AS_EIO);
  CHECK(access(path, F_OK) != 0);
  snprintf(planted, sizeof planted, "%s/fifo.0.lock", target);
  CHECK(mkfifo(planted, 0600) == 0);
  CHECK_INT_EQ(as__gpu_slot_acquire("fifo", &s, detail, sizeof detail), AS_EIO);
  CHECK_MSG(strstr(detail, planted) && strstr(detail, "not a regular file"),
            "planted FIFO: detail \"%s\"", detail);
  setenv("ACCELSTRAT_GPU_SLOTS", "2", 1);
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

int main(void) {
  /* A hang (a blocking lock, a FIFO opened for reading) fails the test. */
  alarm(30);
  /* Grandchildren whose parent exited are reparented to us, so that the
   * exec case can tell whether one still runs and reap it. */
  CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
  const char *tmp = getenv("TMPDIR");
  char root[512];
  snprintf(root, sizeof root, "%s/test_slots.XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(root)) {
    perror("mkdtemp");
    return 1;
  }
  configured_count();
  slot_directory_name();
  within_one_process(root);
  keys_stay_in_the_directory(root);
  racing_processes(root);
  killed_holder_frees_its_slots(root);
  exec_does_not_pass_slots_on(root);
  bad_directories_and_files(root);
  CHECK(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0);
  return test_finish("test_slots");
}
