/* The compile database run again with the plugin (compiles.h). */
#include "compiles.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jobserver.h"
#include "progress.h"

/* One compile: where it runs and its arguments (NULL-terminated). */
typedef struct compile {
  char *directory, *file;
  char **argv;
  size_t argc, cap;
} compile;

static int push(compile *c, const char *arg) {
  if (c->argc + 2 > c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 32;
    char **grown = realloc(c->argv, cap * sizeof *grown);
    if (!grown) return -1;
    c->argv = grown;
    c->cap = cap;
  }
  if (!(c->argv[c->argc] = strdup(arg))) return -1;
  c->argv[++c->argc] = NULL;
  return 0;
}

static void compile_free(compile *c) {
  for (size_t i = 0; i < c->argc; i++) free(c->argv[i]);
  free(c->argv);
  free(c->directory);
  free(c->file);
}

/* A "command" split as a POSIX shell splits words: quotes and
 * backslashes, no expansions. */
static int split_command(const char *s, char ***out, size_t *n) {
  char *word = malloc(strlen(s) + 1);
  char **v = NULL;
  size_t count = 0;
  if (!word) return -1;
  while (*s) {
    while (*s == ' ' || *s == '\t' || *s == '\n') s++;
    if (!*s) break;
    size_t k = 0;
    char quote = 0;
    for (; *s && (quote || (*s != ' ' && *s != '\t' && *s != '\n')); s++) {
      if (quote == '\'' && *s != '\'')
        word[k++] = *s;
      else if (*s == quote)
        quote = 0;
      else if (!quote && (*s == '\'' || *s == '"'))
        quote = *s;
      else if (*s == '\\' && s[1] && (quote != '"' || strchr("\"\\$`", s[1])))
        word[k++] = *++s;
      else
        word[k++] = *s;
    }
    word[k] = '\0';
    char **grown = realloc(v, (count + 1) * sizeof *grown);
    if (!grown || !(grown[count] = strdup(word))) {
      free(grown ? grown : v);
      free(word);
      return -1;
    }
    v = grown;
    count++;
  }
  free(word);
  *out = v;
  *n = count;
  return 0;
}

/* Options that write files besides the object, with a value to skip. */
static int skips(const char *a, int *with_value) {
  static const char *const valued[] = {"-o", "-MF", "-MT", "-MQ"};
  *with_value = 0;
  for (size_t i = 0; i < sizeof valued / sizeof *valued; i++) {
    size_t len = strlen(valued[i]);
    if (strcmp(a, valued[i]) == 0) return *with_value = 1;
    if (i > 0 && strncmp(a, valued[i], len) == 0) return 1; /* -MFdeps.d */
  }
  return strcmp(a, "-MD") == 0 || strcmp(a, "-MMD") == 0;
}

/* The compile of entry e, as c says to run it. */
static int make_compile(const rp_compiles *c, json_t *e, compile *out) {
  *out = (compile){0};
  const char *dir = json_string_value(json_object_get(e, "directory"));
  const char *file = json_string_value(json_object_get(e, "file"));
  json_t *args = json_object_get(e, "arguments");
  const char *command = json_string_value(json_object_get(e, "command"));
  if (!dir || !file || (!json_is_array(args) && !command)) return -1;
  char **words = NULL;
  size_t n = 0;
  if (json_is_array(args)) {
    n = json_array_size(args);
    words = calloc(n ? n : 1, sizeof *words);
    for (size_t i = 0; words && i < n; i++) {
      const char *w = json_string_value(json_array_get(args, i));
      words[i] = strdup(w ? w : "");
    }
  } else if (split_command(command, &words, &n) < 0) {
    return -1;
  }
  int rc = words && n ? 0 : -1;
  out->directory = strdup(dir);
  out->file = strdup(file);
  if (!out->directory || !out->file || push(out, c->compiler) < 0) rc = -1;
  for (size_t i = 1; rc == 0 && i < n; i++) {
    int with_value;
    if (!words[i])
      rc = -1;
    else if (skips(words[i], &with_value))
      i += (size_t)with_value;
    else
      rc = push(out, words[i]);
  }
  char plugin[4200], index[4200];
  snprintf(plugin, sizeof plugin, "-fplugin=%s", c->plugin);
  snprintf(index, sizeof index, "-fplugin-arg-accelstrat-index=%s", c->index);
  const char *extra[] = {"-o", "/dev/null", "-w", plugin, index};
  for (size_t i = 0; rc == 0 && i < sizeof extra / sizeof *extra; i++)
    rc = push(out, extra[i]);
  for (size_t i = 0; words && i < n; i++) free(words[i]);
  free(words);
  return rc;
}

/* While the compiles run: SIGCHLD, and the signals that stop them, write a
 * byte into a pipe that the waiting poll() watches with the jobserver. */
static int wake[2] = {-1, -1};
static volatile sig_atomic_t stop_signal;
static const int handled[] = {SIGCHLD, SIGINT, SIGTERM, SIGHUP};
enum { N_HANDLED = sizeof handled / sizeof *handled };
static struct sigaction old_actions[N_HANDLED]; /* what a compile gets */

static void on_signal(int sig) {
  const int saved = errno;
  if (sig != SIGCHLD) stop_signal = sig;
  ssize_t w = write(wake[1], "", 1); /* full: a wake-up is pending anyway */
  (void)w;
  errno = saved;
}

/* Forks compile c with the signals blocked until it has the handlers we
 * were given back, so that one sent to it before exec is not ours. */
static pid_t start(const compile *c) {
  sigset_t block, prev;
  sigemptyset(&block);
  for (int k = 0; k < N_HANDLED; k++) sigaddset(&block, handled[k]);
  sigprocmask(SIG_BLOCK, &block, &prev);
  pid_t pid = fork();
  if (pid == 0) {
    for (int k = 0; k < N_HANDLED; k++)
      sigaction(handled[k], &old_actions[k], NULL);
    sigprocmask(SIG_SETMASK, &prev, NULL);
    if (chdir(c->directory) == 0) execvp(c->argv[0], c->argv);
    fprintf(stderr, "accelstrat-report: %s: cannot run %s: %s\n", c->file,
            c->argv[0], strerror(errno));
    _exit(127);
  }
  const int saved = errno;
  sigprocmask(SIG_SETMASK, &prev, NULL);
  errno = saved;
  return pid;
}

/* A running compile's token: NO_TOKEN without a jobserver, IMPLICIT for the
 * one make counts for us, else the byte taken from the jobserver. */
enum { NO_TOKEN = -1, IMPLICIT = -2 };

typedef struct runner {
  const rp_compiles *c;
  compile *all;
  pid_t *pids; /* of the running compiles, 0 for the others */
  int *token;  /* each running compile's */
  size_t n, next, running, done;
  int failed;
  int implicit_busy; /* a running compile holds the token make counts */
  int js_pollable;   /* poll() can wait for a token on js.read_fd */
  int forwarded;     /* stop_signal was passed on to the compiles */
  as_jobserver js;
} runner;

/* Gives back compile i's token, whatever it is. */
static void give_back(runner *r, size_t i) {
  if (r->token[i] == IMPLICIT) {
    r->implicit_busy = 0;
  } else if (r->token[i] >= 0) {
    const unsigned char byte = (unsigned char)r->token[i];
    as__jobserver_release(&r->js, &byte, 1);
  }
  r->token[i] = NO_TOKEN;
}

/* Starts compile i holding token; a compile that cannot start gives its
 * token back at once. */
static void launch(runner *r, size_t i, int token) {
  r->token[i] = token;
  if (token == IMPLICIT) r->implicit_busy = 1;
  if ((r->pids[i] = start(&r->all[i])) < 0) {
    rp_progress_clear(r->c->progress);
    fprintf(stderr, "accelstrat-report: cannot start a compile: %s\n",
            strerror(errno));
    r->pids[i] = 0, r->failed++, r->done++;
    give_back(r, i);
  } else {
    r->running++;
  }
}

/* The token the next compile needs: 1 with it in *token, or 0 when none
 * is free now. */
static int take_token(runner *r, int *token) {
  unsigned char byte;
  if (!r->js.reachable)
    *token = NO_TOKEN;
  else if (!r->implicit_busy)
    *token = IMPLICIT;
  else if (as__jobserver_acquire(&r->js, 1, &byte) == 1)
    *token = byte;
  else
    return 0;
  return 1;
}

/* Reaps every compile that has ended; returns how many. */
static size_t reap(runner *r) {
  size_t reaped = 0;
  for (size_t i = 0; i < r->n && r->running; i++) {
    if (!r->pids[i]) continue;
    int status;
    pid_t pid = waitpid(r->pids[i], &status, WNOHANG);
    if (pid == 0 || (pid < 0 && errno == EINTR)) continue;
    /* pid < 0: not our child any more (ECHILD); it ended, and so failed. */
    const int ok = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok && !stop_signal) { /* stopped, it was us who ended it */
      rp_progress_clear(r->c->progress);
      fprintf(stderr, "accelstrat-report: warning: the compile of %s failed\n",
              r->all[i].file);
      r->failed++;
    }
    r->pids[i] = 0, r->running--, r->done++, reaped++;
    give_back(r, i);
  }
  if (reaped) rp_progress_set(r->c->progress, r->done, r->n);
  return reaped;
}

/* Waits for a compile to end or, when want_token, for the jobserver to
 * have a token, without spinning; with a progress line, four times a
 * second at least, to draw it. */
static void wait_event(runner *r, int want_token) {
  if (reap(r)) return;
  struct pollfd fds[2] = {{.fd = wake[0], .events = POLLIN},
                          {.fd = r->js.read_fd, .events = POLLIN}};
  const nfds_t nfds = want_token && r->js_pollable ? 2 : 1;
  const int bar = r->c->progress && r->c->progress->on;
  const int ready = poll(fds, nfds, bar ? 250 : -1);
  if (ready == 0) rp_progress_set(r->c->progress, r->done, r->n);
  if (ready > 0) {
    char drain[64];
    if (fds[0].revents)
      while (read(wake[0], drain, sizeof drain) > 0) continue;
    /* A jobserver gone (no writer, an error) has no token to wait for. */
    if (nfds == 2 && (fds[1].revents & (POLLERR | POLLHUP | POLLNVAL)))
      r->js_pollable = 0;
  }
}

/* Every compile, as many at once as c->jobs and the tokens allow. */
static void run_all(runner *r) {
  const size_t jobs = (size_t)(r->c->jobs > 0 ? r->c->jobs : 1);
  for (;;) {
    int token, want_token = 0;
    while (!stop_signal && r->next < r->n && r->running < jobs) {
      if (!take_token(r, &token)) {
        want_token = 1;
        break;
      }
      launch(r, r->next++, token);
    }
    if (stop_signal && !r->forwarded) {
      for (size_t i = 0; i < r->n; i++)
        if (r->pids[i]) kill(r->pids[i], stop_signal);
      r->forwarded = 1;
    }
    if (!r->running) break; /* all done, or stopped */
    wait_event(r, want_token && !stop_signal);
  }
}

/* Connects to make's jobserver, if MAKEFLAGS names one; one warning when it
 * names one we cannot use. */
static void open_jobserver(runner *r) {
  const int rc = as__jobserver_open(&r->js);
  if (rc == 0 && r->js.kind == AS_JOBSERVER_NONE) return;
  if (r->js.reachable) {
    r->js_pollable = 1;
    return;
  }
  fprintf(stderr,
          "accelstrat-report: warning: the jobserver in MAKEFLAGS is "
          "unreachable (%s); running up to %d compiles at once (-j)\n",
          r->js.detail, r->c->jobs);
}

/* Runs r's compiles with the signal handlers in place, then puts back the
 * ones before. Returns -1 with a message when the pipe cannot be made. */
static int run_handled(runner *r, char *err, size_t errlen) {
  if (pipe2(wake, O_NONBLOCK | O_CLOEXEC) < 0) {
    snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
    return -1;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigemptyset(&sa.sa_mask);
  stop_signal = 0;
  for (int k = 0; k < N_HANDLED; k++)
    sigaction(handled[k], &sa, &old_actions[k]);
  run_all(r);
  for (int k = 0; k < N_HANDLED; k++)
    sigaction(handled[k], &old_actions[k], NULL);
  close(wake[0]), close(wake[1]);
  wake[0] = wake[1] = -1;
  if (stop_signal) {
    if (r->c->stopped) *r->c->stopped = stop_signal;
    snprintf(err, errlen, "the compiles were stopped by signal %d (%s)",
             (int)stop_signal, strsignal(stop_signal));
    return -1;
  }
  return 0;
}

int rp_run_compiles(const rp_compiles *c, char *err, size_t errlen) {
  char path[4200];
  if (c->stopped) *c->stopped = 0;
  snprintf(path, sizeof path, "%s/compile_commands.json", c->build_dir);
  json_error_t jerr;
  json_t *db = json_load_file(path, 0, &jerr);
  if (!json_is_array(db)) {
    snprintf(err, errlen, "%s: %s", path,
             db ? "not an array of compiles" : jerr.text);
    json_decref(db);
    return -1;
  }
  const size_t n = json_array_size(db);
  runner r = {.c = c, .n = n};
  r.all = calloc(n ? n : 1, sizeof *r.all);
  r.pids = calloc(n ? n : 1, sizeof *r.pids);
  r.token = calloc(n ? n : 1, sizeof *r.token);
  int rc = r.all && r.pids && r.token ? 0 : -1;
  if (rc < 0) snprintf(err, errlen, "out of memory");
  for (size_t i = 0; rc == 0 && i < n; i++)
    if (make_compile(c, json_array_get(db, i), &r.all[i]) < 0) {
      snprintf(err, errlen, "%s: entry %zu is not a compile", path, i + 1);
      rc = -1;
    }
  if (rc == 0) {
    open_jobserver(&r);
    rp_progress_begin(c->progress, "compiles", NULL, n);
    rc = run_handled(&r, err, errlen);
    rp_progress_end(c->progress);
    as__jobserver_close(&r.js);
  }
  for (size_t i = 0; r.all && i < n; i++) compile_free(&r.all[i]);
  free(r.all);
  free(r.pids);
  free(r.token);
  json_decref(db);
  return rc < 0 ? -1 : r.failed;
}
