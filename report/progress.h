/* accelstrat-report's progress line on stderr: one line per phase (the
 * compiles of -p, reading the records, the search), redrawn in place with
 * '\r' at most ten times a second and ended with a newline when the phase
 * is done. Only on a terminal (--progress=auto, the default), where a phase
 * also shows only once it has lasted a quarter of a second; always with
 * --progress=always (every phase, to a file too), never with
 * --progress=never. */
#ifndef ACCELSTRAT_REPORT_PROGRESS_H
#define ACCELSTRAT_REPORT_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef enum rp_progress_mode {
  RP_PROGRESS_AUTO,
  RP_PROGRESS_ALWAYS,
  RP_PROGRESS_NEVER
} rp_progress_mode;

typedef struct rp_progress {
  FILE *f;
  int on;     /* lines are drawn at all */
  int always; /* every phase, from its start (--progress=always) */
  int cols;   /* the terminal's width, 0 when not a terminal */
  const char *what, *unit;
  uint64_t done, total;   /* the phase's count; total 0: not known */
  uint64_t stage, stages; /* the search's queries searched (stages 0: none) */
  uint64_t start_ns, last_ns;
  int shown;  /* the phase has been drawn */
  int drawn;  /* its line is on the screen now */
  size_t len; /* that line's length */
} rp_progress;

/* "auto", "always" or "never" into *m; -1 for anything else. */
int rp_progress_parse(const char *v, rp_progress_mode *m);

/* Draws on f as m says (auto: when f is a terminal). */
void rp_progress_init(rp_progress *p, rp_progress_mode m, FILE *f);

/* A phase: `what` counting `unit` (e.g. "compiles"), total of them (0: not
 * known). Every call below takes p NULL and does nothing then. */
void rp_progress_begin(rp_progress *p, const char *what, const char *unit,
                       uint64_t total);

/* done of total (the total may grow as it becomes known). */
void rp_progress_set(rp_progress *p, uint64_t done, uint64_t total);

/* The search's queries: stage of stages searched, shown before the count,
 * and what the ETA follows while they are not all searched. */
void rp_progress_stage(rp_progress *p, uint64_t stage, uint64_t stages);

/* Ends the phase: its last state, and a newline, where it was shown. */
void rp_progress_end(rp_progress *p);

/* Blanks the line before something else is printed on stderr; the next
 * update draws it again. */
void rp_progress_clear(rp_progress *p);

#endif
