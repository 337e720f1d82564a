/* The progress line on stderr (progress.h). */
#include "progress.h"

#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "support/clock.h"

enum {
  RP_REDRAW_NS = 100000000, /* at most ten lines a second */
  RP_DELAY_NS = 250000000,  /* auto: a phase shows once it lasts this long */
  RP_LINE = 256
};

int rp_progress_parse(const char *v, rp_progress_mode *m) {
  static const char *const names[] = {"auto", "always", "never"};
  for (int i = 0; i < 3; i++)
    if (strcmp(v, names[i]) == 0) return *m = (rp_progress_mode)i, 0;
  return -1;
}

void rp_progress_init(rp_progress *p, rp_progress_mode m, FILE *f) {
  memset(p, 0, sizeof *p);
  p->f = f;
  const int tty = isatty(fileno(f));
  p->on = m == RP_PROGRESS_ALWAYS || (m == RP_PROGRESS_AUTO && tty);
  p->always = m == RP_PROGRESS_ALWAYS;
  struct winsize ws;
  if (tty && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0) p->cols = ws.ws_col;
}

void rp_progress_begin(rp_progress *p, const char *what, const char *unit,
                       uint64_t total) {
  if (!p || !p->on) return;
  if (p->what) rp_progress_end(p); /* one phase at a time */
  p->what = what, p->unit = unit;
  p->done = 0, p->total = total;
  p->stage = p->stages = 0;
  p->start_ns = as__now_ns();
  p->last_ns = 0;
  p->shown = p->drawn = 0;
  p->len = 0;
}

/* 2.5, 640, 12k, 3.4M: a count a second. */
static void format_rate(double r, char *buf, size_t len) {
  if (r < 10)
    snprintf(buf, len, "%.1f", r);
  else if (r < 1e4)
    snprintf(buf, len, "%.0f", r);
  else if (r < 1e6)
    snprintf(buf, len, "%.0fk", r / 1e3);
  else
    snprintf(buf, len, "%.1fM", r / 1e6);
}

/* 0.4s (exact: under ten seconds), 42s, 3m05s, 2h10m. */
static void format_duration(double s, int exact, char *buf, size_t len) {
  const unsigned long t = (unsigned long)(s + 0.5);
  if (exact && s < 9.95)
    snprintf(buf, len, "%.1fs", s);
  else if (t < 60)
    snprintf(buf, len, "%lus", t);
  else if (t < 3600)
    snprintf(buf, len, "%lum%02lus", t / 60, t % 60);
  else
    snprintf(buf, len, "%luh%02lum", t / 3600, t / 60 % 60);
}

/* The phase's line as it stands at now (final: the time it took instead
 * of the ETA). */
static size_t format_line(const rp_progress *p, uint64_t now, int final,
                          char *buf, size_t len) {
  const double elapsed = (double)(now - p->start_ns) / 1e9;
  size_t k = (size_t)snprintf(buf, len, "accelstrat-report: %s: ", p->what);
  if (p->stages && k < len)
    k += (size_t)snprintf(buf + k, len - k, "queries %llu/%llu, ",
                          (unsigned long long)p->stage,
                          (unsigned long long)p->stages);
  if (k < len)
    k +=
        (size_t)snprintf(buf + k, len - k, "%llu", (unsigned long long)p->done);
  if (p->total && k < len)
    k += (size_t)snprintf(buf + k, len - k, "/%llu",
                          (unsigned long long)p->total);
  if (p->unit && k < len)
    k += (size_t)snprintf(buf + k, len - k, " %s", p->unit);
  if (p->total && k < len)
    k += (size_t)snprintf(
        buf + k, len - k, " (%u%%)",
        (unsigned)(100.0 * (double)p->done / (double)p->total));
  char rate[32], t[32] = "";
  format_rate(elapsed > 0 ? (double)p->done / elapsed : 0, rate, sizeof rate);
  /* The fraction of the work done: while the search's queries are not all
   * searched, theirs, as the candidates still to come are not known. */
  double f = p->total ? (double)p->done / (double)p->total : 0;
  if (p->stages && p->stage < p->stages)
    f = (double)p->stage / (double)p->stages;
  if (final) {
    format_duration(elapsed, 1, t, sizeof t);
  } else if (f > 0 && f < 1) {
    memcpy(t, "ETA ", 4);
    format_duration(elapsed * (1 - f) / f, 0, t + 4, sizeof t - 4);
  }
  if (k < len)
    k += (size_t)snprintf(buf + k, len - k, ", %s/s%s%s", rate,
                          t[0] ? ", " : "", t);
  return k < len ? k : len - 1;
}

static void draw(rp_progress *p, uint64_t now, int final) {
  char line[RP_LINE + 2];
  size_t n = format_line(p, now, final, line + 1, RP_LINE);
  if (p->cols > 1 && n > (size_t)p->cols - 1) n = (size_t)p->cols - 1;
  line[0] = '\r';
  line[n + 1] = '\0';
  /* Blank what a longer line before left. */
  char pad[RP_LINE + 1];
  size_t blank = p->drawn && p->len > n ? p->len - n : 0;
  memset(pad, ' ', blank);
  pad[blank] = '\0';
  fprintf(p->f, "%s%s", line, pad);
  if (blank) fprintf(p->f, "\r%s", line + 1);
  fflush(p->f);
  p->len = n;
  p->shown = p->drawn = 1;
  p->last_ns = now;
}

/* Draws when it is time to: not within a tenth of a second of the last
 * line, nor (auto) before the phase lasted a quarter of a second. */
static void update(rp_progress *p) {
  const uint64_t now = as__now_ns();
  if (now - p->last_ns < RP_REDRAW_NS && p->last_ns) return;
  if (!p->always && !p->shown && now - p->start_ns < RP_DELAY_NS) return;
  draw(p, now, 0);
}

void rp_progress_set(rp_progress *p, uint64_t done, uint64_t total) {
  if (!p || !p->on || !p->what) return;
  p->done = done;
  if (total) p->total = total;
  update(p);
}

void rp_progress_stage(rp_progress *p, uint64_t stage, uint64_t stages) {
  if (!p || !p->on || !p->what) return;
  p->stage = stage, p->stages = stages;
  update(p);
}

void rp_progress_end(rp_progress *p) {
  if (!p || !p->on || !p->what) return;
  if (p->shown || p->always) {
    draw(p, as__now_ns(), 1);
    fputc('\n', p->f);
    fflush(p->f);
  }
  p->what = NULL;
  p->shown = p->drawn = 0;
}

void rp_progress_clear(rp_progress *p) {
  if (!p || !p->on || !p->drawn) return;
  char pad[RP_LINE + 1];
  size_t n = p->len < RP_LINE ? p->len : RP_LINE;
  memset(pad, ' ', n);
  pad[n] = '\0';
  fprintf(p->f, "\r%s\r", pad);
  fflush(p->f);
  p->drawn = 0;
  p->last_ns = 0; /* the next update draws it again */
}
