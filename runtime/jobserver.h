/* A client of GNU make's jobserver: when the runtime runs under `make -jN`,
 * threads beyond the one make already counts for us take a token each, so a
 * parallel build does not oversubscribe the machine. Nothing here blocks:
 * with no token free we simply run with fewer threads. */
#ifndef ACCELSTRAT_RUNTIME_JOBSERVER_H
#define ACCELSTRAT_RUNTIME_JOBSERVER_H

#include <stddef.h>

/* GNU make's jobserver as a client sees it. */
typedef enum as_jobserver_kind {
  AS_JOBSERVER_NONE = 0,
  AS_JOBSERVER_PIPE,
  AS_JOBSERVER_FIFO
} as_jobserver_kind;

typedef struct as_jobserver {
  as_jobserver_kind kind;
  int read_fd, write_fd; /* our own descriptors, -1 when not open */
  int reachable;    /* 1: tokens can be taken; 0: MAKEFLAGS names a jobserver we
                       cannot use */
  char detail[128]; /* e.g. "fifo:/tmp/GMfifo123", "pipe 3,4", or why
                       unreachable */
} as_jobserver;

/* Parses MAKEFLAGS text. Returns 1 and fills kind plus fds (pipe) or path
 * (fifo) when a jobserver is named, 0 when none is named, AS_EINVAL when the
 * option is malformed. Accepts --jobserver-auth=R,W (make 4.2/4.3),
 * --jobserver-auth=fifo:PATH (make 4.4), --jobserver-fds=R,W (make <= 4.1);
 * the last such option wins (only it is checked, as make keeps only the last
 * value); stop at a lone "--" word (variable definitions follow it). Negative
 * fds (make's -1,-1 for "no jobserver") mean none. Words are split as make
 * splits them: at unescaped blanks, a backslash quoting the next character. A
 * fifo path that does not fit pathlen is malformed. */
int as__jobserver_parse(const char *makeflags, as_jobserver_kind *kind,
                        int *rfd, int *wfd, char *path, size_t pathlen);

/* Connects from the environment's MAKEFLAGS (or MFLAGS if MAKEFLAGS is
 * unset). Never blocks, never fails hard: returns 0 with kind NONE when there
 * is no jobserver; with a jobserver named but unusable (fds closed or not a
 * pipe/FIFO -- make 4.3 does not pass the fds to recipes it does not consider
 * recursive -- or the fifo cannot be opened) kind is set, reachable=0 and
 * detail says why. A malformed option returns AS_EINVAL with kind NONE; js is
 * still valid for every call below. */
int as__jobserver_open(as_jobserver *js);

/* Takes up to `want` tokens without ever blocking; stores the bytes read in
 * tokens[] (make 4.4 wants the same bytes back); returns how many were taken
 * (0..want). */
int as__jobserver_acquire(as_jobserver *js, int want, unsigned char *tokens);

/* Writes back n tokens; retries on EINTR/EAGAIN so that no token is ever
 * lost. */
void as__jobserver_release(as_jobserver *js, const unsigned char *tokens,
                           int n);

/* Closes our descriptors; kind and detail stay for reporting. Idempotent, and
 * harmless on a zeroed js. */
void as__jobserver_close(as_jobserver *js);

#endif
