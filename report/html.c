/* --format=html (output.h): one self-contained page (inline CSS, no
 * scripts, nothing fetched) with the groups in the text report's order,
 * each with its members as the other outputs describe them, and the source
 * of the group's first beside each other member's, read from the files the
 * records name when the page is written. Every string is HTML-escaped, and
 * a byte that is not well-formed UTF-8 becomes U+FFFD. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <accelstrat/version.h>

#include "output.h"
#include "support/json.h"

enum {
  MAX_LINES = 200,       /* of a function's source shown */
  MAX_LINE_BYTES = 1000, /* of one line shown */
  MAX_COMPARED = 16,     /* members of a group whose source is shown */
  MAX_FILE = 64 << 20    /* bytes of a source file read */
};

/* s[0, n) as HTML text or a quoted attribute's value: the markup
 * characters as references; each byte outside well-formed UTF-8 and each
 * control character but tab as U+FFFD. */
static void esc_n(FILE *out, const char *s, size_t n) {
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    const unsigned c = u[i];
    size_t k = c < 0x80 ? 1 : as__utf8_len(u + i, n - i);
    if (c == '&')
      fputs("&amp;", out);
    else if (c == '<')
      fputs("&lt;", out);
    else if (c == '>')
      fputs("&gt;", out);
    else if (c == '"')
      fputs("&quot;", out);
    else if (c == '\'')
      fputs("&#39;", out);
    else if (k == 0 || (c < 0x20 && c != '\t') || c == 0x7F ||
             (c == 0xC2 && u[i + 1] < 0xA0)) /* C1 controls */
      fputs("&#xFFFD;", out);
    else
      fwrite(u + i, 1, k, out);
    i += k ? k : 1;
  }
}

static void esc(FILE *out, const char *s) { esc_n(out, s, strlen(s)); }

/* A source file as read for the page, once however many functions in it. */
typedef struct source {
  char *path;   /* the record's file, in its compile's directory */
  char *text;   /* NULL: not readable (err) */
  size_t *line; /* offsets of each line's start */
  size_t len, n_lines;
  int err;
} source;

typedef struct sources {
  source *s;
  size_t n, cap;
} sources;

static char *read_file(const char *path, size_t *len, int *err) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t n = 0, cap = 0;
  if (!f) return *err = errno, NULL;
  errno = 0;
  for (;;) {
    if (n == cap) {
      char *b = cap < MAX_FILE ? realloc(buf, cap ? 2 * cap : 65536) : NULL;
      if (!b) {
        *err = cap < MAX_FILE ? ENOMEM : EFBIG;
        break;
      }
      buf = b, cap = cap ? 2 * cap : 65536;
    }
    const size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) {
      if (ferror(f))
        *err = errno ? errno : EIO;
      else
        return fclose(f), *len = n, buf;
      break;
    }
  }
  fclose(f);
  free(buf);
  return NULL;
}

static void index_lines(source *s) {
  size_t n = 1;
  for (size_t i = 0; i < s->len; i++) n += s->text[i] == '\n';
  if (!(s->line = malloc(n * sizeof *s->line))) {
    free(s->text), s->text = NULL, s->err = ENOMEM;
    return;
  }
  s->line[0] = 0, s->n_lines = s->len > 0;
  for (size_t i = 0; i < s->len; i++)
    if (s->text[i] == '\n' && i + 1 < s->len) s->line[s->n_lines++] = i + 1;
}

/* The source of fn's file (path relative to its TU's directory, else to
 * the current one), read on first use; NULL when out of memory. */
static source *source_of(sources *c, const rp_project *p, const rp_fn *fn) {
  const char *file = fn->f->file, *dir = p->tus[fn->tu].tu.directory;
  const int joined = file[0] && file[0] != '/' && dir && dir[0];
  const size_t len = strlen(file) + (joined ? strlen(dir) + 1 : 0) + 1;
  char *path = malloc(len);
  if (!path) return NULL;
  snprintf(path, len, "%s%s%s", joined ? dir : "", joined ? "/" : "", file);
  for (size_t i = 0; i < c->n; i++)
    if (strcmp(c->s[i].path, path) == 0) return free(path), &c->s[i];
  if (c->n == c->cap) {
    source *s = realloc(c->s, (c->cap ? 2 * c->cap : 16) * sizeof *s);
    if (!s) return free(path), NULL;
    c->s = s, c->cap = c->cap ? 2 * c->cap : 16;
  }
  source *s = &c->s[c->n++];
  *s = (source){.path = path, .err = ENOENT};
  if (file[0]) s->text = read_file(path, &s->len, &s->err);
  if (file[0] && !s->text && joined && s->err == ENOENT)
    s->text = read_file(file, &s->len, &s->err);
  if (s->text) index_lines(s);
  return s;
}

static void sources_free(sources *c) {
  for (size_t i = 0; i < c->n; i++)
    free(c->s[i].path), free(c->s[i].text), free(c->s[i].line);
  free(c->s);
}

/* The lines of a function: from its line to the one that closes its body,
 * found by matching braces (comments, strings and character literals
 * skipped; braces inside the parameters or, after a ':', of member
 * initialisers are not the body's), at most MAX_LINES (*cut then). */
typedef struct extent {
  size_t first, n; /* 0-based line, count; n == 0: none */
  int cut;
} extent;

static int ident(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_';
}

/* Whether the ' at t[i] separates digits (1'000), not a character. */
static int digit_separator(const char *t, size_t i, size_t end) {
  const char *hex = "0123456789abcdefABCDEF";
  return i > 0 && i + 2 < end && t[i - 1] && strchr(hex, t[i - 1]) &&
         t[i + 1] && strchr(hex, t[i + 1]) && t[i + 2] != '\'';
}

static extent extent_of(const source *s, const asx_func *f) {
  extent e = {f->line ? f->line - 1 : 0, 0, 0};
  if (!s->text || !f->line || e.first >= s->n_lines) return e;
  const char *t = s->text;
  size_t i = s->line[e.first], end = s->len;
  const size_t next = e.first + 1 < s->n_lines ? s->line[e.first + 1] : end;
  if (f->col && i + f->col - 1 < next) i += f->col - 1;
  enum { CODE, LINE_COMMENT, BLOCK_COMMENT, STRING, CHAR } st = CODE;
  int paren = 0, init = 0, colon = 0, depth = 0;
  char prev = 0;
  size_t lines = 1;
  for (; i < end; i++) {
    const char c = t[i], d = i + 1 < end ? t[i + 1] : 0;
    if (c == '\n') {
      if (st == LINE_COMMENT || st == STRING || st == CHAR) st = CODE;
      if (++lines > MAX_LINES) return e.n = MAX_LINES, e.cut = 1, e;
      continue;
    }
    if (st == LINE_COMMENT) continue;
    if (st == BLOCK_COMMENT) {
      if (c == '*' && d == '/') st = CODE, i++;
      continue;
    }
    if (st == STRING || st == CHAR) {
      if (c == '\\' && d != '\n')
        i++;
      else if (c == (st == STRING ? '"' : '\''))
        st = CODE;
      continue;
    }
    if (c == '/' && (d == '/' || d == '*')) {
      st = d == '/' ? LINE_COMMENT : BLOCK_COMMENT, i++;
      continue;
    }
    if (c == '"' || (c == '\'' && !digit_separator(t, i, end))) {
      st = c == '"' ? STRING : CHAR;
      continue;
    }
    if (depth > 0) {
      depth += c == '{' ? 1 : c == '}' ? -1 : 0;
      if (depth == 0) break;
    } else if (c == '(' || c == ')') {
      paren += c == '(' ? 1 : -1;
    } else if (c == ':' && !paren) {
      if (d == ':')
        i++; /* a scope, not the start of member initialisers */
      else
        colon = 1;
    } else if (c == '{' && !paren) {
      if (init || (colon && (ident(prev) || prev == '>')))
        init++;
      else
        depth = 1;
    } else if (c == '}' && init) {
      init--;
    } else if (c == ';' && !paren && !init) {
      break; /* a declaration, not a definition */
    }
    if (c != ' ' && c != '\t' && c != '\r') prev = c;
  }
  if (e.first + lines > s->n_lines) lines = s->n_lines - e.first;
  e.n = lines;
  return e;
}

/* Line k (0-based) of s without its end of line. */
static const char *line_at(const source *s, size_t k, size_t *len) {
  const size_t a = s->line[k];
  size_t b = k + 1 < s->n_lines ? s->line[k + 1] : s->len;
  while (b > a && (s->text[b - 1] == '\n' || s->text[b - 1] == '\r')) b--;
  *len = b - a;
  return s->text + a;
}

/* Two lines equal but for the white space around them. */
static int same_line(const source *a, size_t i, const source *b, size_t j) {
  size_t m, n;
  const char *x = line_at(a, i, &m), *y = line_at(b, j, &n);
  while (m && (*x == ' ' || *x == '\t')) x++, m--;
  while (n && (*y == ' ' || *y == '\t')) y++, n--;
  while (m && (x[m - 1] == ' ' || x[m - 1] == '\t')) m--;
  while (n && (y[n - 1] == ' ' || y[n - 1] == '\t')) n--;
  return m == n && memcmp(x, y, m) == 0;
}

/* One side of a row: line number and text, "x" when it differs. */
static void side(FILE *out, const source *s, const extent *e, size_t k,
                 int differs, const char *cls) {
  if (k == SIZE_MAX) {
    fprintf(out, "<td class=\"n\"></td><td class=\"%s e\"></td>", cls);
    return;
  }
  size_t len;
  const char *t = line_at(s, e->first + k, &len);
  const int long_line = len > MAX_LINE_BYTES;
  if (long_line) {
    len = MAX_LINE_BYTES;
    while (len && ((unsigned char)t[len] & 0xC0) == 0x80) len--;
  }
  fprintf(out, "<td class=\"n\">%zu</td><td class=\"%s%s\">", e->first + k + 1,
          cls, differs ? " x" : "");
  esc_n(out, t, len);
  fputs(long_line ? "\xE2\x80\xA6</td>" : "</td>", out);
}

static void row(FILE *out, const source *a, const extent *ea, size_t i,
                const source *b, const extent *eb, size_t j, int differs) {
  fputs("<tr>", out);
  side(out, a, ea, i, differs, "l");
  side(out, b, eb, j, differs, "r");
  fputs("</tr>\n", out);
}

/* The rows of a side-by-side view: lines in a longest common subsequence
 * of both (white space around them ignored) on one row, the changed ones
 * between two of them paired, the rest of the longer run alone. */
static void rows(FILE *out, const source *a, const extent *ea, const source *b,
                 const extent *eb) {
  const size_t na = ea->n, nb = eb->n, w = nb + 1;
  uint16_t *l = calloc((na + 1) * w, sizeof *l); /* LCS of the suffixes */
  for (size_t i = na; l && i-- > 0;)
    for (size_t j = nb; j-- > 0;)
      l[i * w + j] = same_line(a, ea->first + i, b, eb->first + j)
                         ? (uint16_t)(l[(i + 1) * w + j + 1] + 1)
                     : l[(i + 1) * w + j] > l[i * w + j + 1]
                         ? l[(i + 1) * w + j]
                         : l[i * w + j + 1];
  size_t i = 0, j = 0;
  while (i < na || j < nb) {
    size_t di = i, dj = j; /* the changed run up to the next common line */
    while (di < na || dj < nb) {
      /* Equal lines are in a longest common subsequence (without the
       * table, out of memory, the lines are paired in order). */
      if (di < na && dj < nb && (l || di - i == dj - j) &&
          same_line(a, ea->first + di, b, eb->first + dj))
        break;
      if (dj == nb ||
          (di < na &&
           (l ? l[(di + 1) * w + dj] >= l[di * w + dj + 1] : di - i <= dj - j)))
        di++;
      else
        dj++;
    }
    for (size_t k = 0; i + k < di || j + k < dj; k++)
      row(out, a, ea, i + k < di ? i + k : SIZE_MAX, b, eb,
          j + k < dj ? j + k : SIZE_MAX, 1);
    i = di, j = dj;
    if (i < na && j < nb) row(out, a, ea, i++, b, eb, j++, 0);
  }
  free(l);
}

/* Why a function's source is not shown, in a row's side. */
static void not_available(FILE *out, const source *s, const asx_func *f,
                          const char *cls) {
  fprintf(out, "<td colspan=\"2\" class=\"%s na\">source not available: ", cls);
  if (!s) {
    fputs("out of memory", out);
  } else if (!s->path[0]) {
    fputs("the record names no file", out);
  } else {
    esc(out, s->path);
    if (!s->text)
      fprintf(out, ": %s", strerror(s->err));
    else if (!f->line)
      fputs(": the record has no line", out);
    else
      fprintf(out, " has %zu line%s, the record says line %u", s->n_lines,
              s->n_lines == 1 ? "" : "s", f->line);
  }
  fputs("</td>", out);
}

static void column_head(FILE *out, const rp_project *p, const rp_group *g,
                        size_t k) {
  const asx_func *f = p->fns[g->members[k].fn].f;
  char at[4200];
  rp_where(f, at, sizeof at);
  if (k)
    fprintf(out, "<th colspan=\"2\">member %zu: ", k + 1);
  else
    fputs("<th colspan=\"2\">first: ", out);
  esc(out, at);
  fputs(" <code>", out);
  esc(out, f->name);
  fputs("</code></th>", out);
}

/* The first member's source beside member k's. */
static void compare(FILE *out, sources *c, const rp_project *p,
                    const rp_group *g, size_t k) {
  const rp_fn *fa = &p->fns[g->members[0].fn], *fb = &p->fns[g->members[k].fn];
  source *a = source_of(c, p, fa), *b = source_of(c, p, fb);
  extent ea = {0, 0, 0}, eb = {0, 0, 0};
  if (a) ea = extent_of(a, fa->f);
  if (b) eb = extent_of(b, fb->f);
  char how[200];
  rp_differs(&g->members[k], how, sizeof how);
  fprintf(out, "<details open><summary>The first beside member %zu: ", k + 1);
  if (g->identical)
    fputs("identical", out);
  else
    fprintf(out, "%u%% similar, %s",
            rp_percent(g->members[k].lcs, g->members[k].total), how);
  fprintf(out,
          "</summary>\n"
          "<table class=\"src\" data-member=\"%zu\"><colgroup><col "
          "class=\"cn\"><col><col class=\"cn\"><col></colgroup>\n<thead><tr>",
          k + 1);
  column_head(out, p, g, 0);
  column_head(out, p, g, k);
  fputs("</tr></thead>\n<tbody>\n", out);
  if (!ea.n || !eb.n) {
    fputs("<tr>", out);
    if (!ea.n)
      not_available(out, a, fa->f, "l");
    else
      fputs("<td class=\"n\"></td><td class=\"l e\"></td>", out);
    if (!eb.n)
      not_available(out, b, fb->f, "r");
    else
      fputs("<td class=\"n\"></td><td class=\"r e\"></td>", out);
    fputs("</tr>\n", out);
  }
  rows(out, a, &ea, b, &eb);
  fputs("</tbody></table>\n", out);
  if (ea.cut || eb.cut)
    fprintf(out, "<p class=\"note\">The first %d lines only.</p>\n", MAX_LINES);
  fputs("</details>\n", out);
}

static void member_row(FILE *out, const rp_project *p, const rp_group *g,
                       size_t k) {
  const rp_member *m = &g->members[k];
  const rp_fn *fn = &p->fns[m->fn];
  char at[4200], differs[160];
  rp_where(fn->f, at, sizeof at);
  fprintf(out, "<tr class=\"member\" data-file=\"");
  esc(out, fn->f->file);
  fprintf(out, "\" data-line=\"%u\" data-col=\"%u\" data-symbol=\"",
          fn->f->line, fn->f->col);
  esc(out, fn->f->symbol);
  fprintf(out, "\" data-similarity=\"%.17g\"><td class=\"num\">%zu</td>",
          m->total ? 2.0 * m->lcs / m->total : 1, k + 1);
  fputs("<td class=\"loc\">", out);
  esc(out, at);
  fputs("</td><td class=\"sym\"><code>", out);
  esc(out, fn->f->symbol);
  fputs("</code></td><td class=\"name\"><code>", out);
  esc(out, fn->f->name);
  fprintf(out, "</code></td><td class=\"num\">%u</td><td class=\"num\">%u</td>",
          fn->f->n_insts, fn->n_tus);
  if (k == 0) {
    fputs("<td class=\"num\">&mdash;</td><td>the first</td>", out);
  } else {
    rp_differs(m, differs, sizeof differs);
    fprintf(out, "<td class=\"num pc\">%u%%</td><td class=\"differs\">%s</td>",
            rp_percent(m->lcs, m->total), g->identical ? "identical" : differs);
  }
  fputs("</tr>\n", out);
}

static void headline(FILE *out, const rp_project *p, const rp_group *g) {
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  if (!m) return;
  rp_headline(m, p, g);
  if (fclose(m) == 0) esc_n(out, buf, len);
  free(buf);
}

static void group(FILE *out, sources *c, const rp_project *p, const rp_group *g,
                  size_t rank) {
  char at[4200];
  rp_where(p->fns[g->members[0].fn].f, at, sizeof at);
  fprintf(out,
          "<section class=\"group %s\" id=\"g%zu\" data-kind=\"%s\" "
          "data-saving=\"%llu\">\n<h2><a href=\"#g%zu\">#%zu</a> <span "
          "class=\"kind\">%s</span> ",
          rp_kind(g), rank, rp_kind(g), (unsigned long long)g->saving, rank,
          rank, rp_kind(g));
  esc(out, at);
  fputs("</h2>\n<p class=\"headline\">", out);
  headline(out, p, g);
  fputs("</p>\n<table class=\"members\"><thead><tr><th>#</th><th>location"
        "</th><th>symbol</th><th>name</th><th>instructions</th><th>TUs</th>"
        "<th>similarity to the first</th><th>what differs</th></tr></thead>\n"
        "<tbody>\n",
        out);
  for (size_t k = 0; k < g->n; k++) member_row(out, p, g, k);
  fputs("</tbody></table>\n", out);
  for (size_t k = 1; k < g->n && k <= MAX_COMPARED; k++)
    compare(out, c, p, g, k);
  if (g->n - 1 > MAX_COMPARED)
    fprintf(out,
            "<p class=\"note\">The sources of members %d to %zu are not "
            "shown (%d a group at most).</p>\n",
            MAX_COMPARED + 2, g->n, MAX_COMPARED);
  fputs("</section>\n", out);
}

static const char style[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#1d1d1f;"
    "background:#fff}\n"
    "h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.1em}\n"
    "a{color:#0b57d0}code{font:12px ui-monospace,monospace}\n"
    "section.group{border:1px solid #c8c8c8;border-radius:6px;margin:1.5em 0;"
    "padding:0 1em 1em}\n"
    ".kind{padding:.1em .5em;border-radius:4px;color:#fff;font-size:.85em}\n"
    ".identical .kind{background:#b3261e}.similar .kind{background:#9a5b00}\n"
    "table{border-collapse:collapse}\n"
    "table.members th,table.members td,table.groups th,table.groups td{"
    "border-bottom:1px solid #ddd;padding:.2em .6em;text-align:left;"
    "vertical-align:top}\n"
    "table td.num{text-align:right}\n"
    "details{margin-top:1em}summary{cursor:pointer;color:#555}\n"
    "table.src{width:100%;table-layout:fixed;margin-top:.4em;"
    "font:12px/1.4 ui-monospace,monospace;border:1px solid #ddd}\n"
    "table.src col.cn{width:3.5em}\n"
    "table.src th{text-align:left;font:600 12px system-ui,sans-serif;"
    "background:#f3f3f3;padding:.3em .5em;overflow-wrap:anywhere}\n"
    "table.src td{white-space:pre-wrap;overflow-wrap:anywhere;tab-size:8;"
    "padding:0 .5em;vertical-align:top}\n"
    "table.src td.n{color:#999;text-align:right;border-right:1px solid #ddd}\n"
    "table.src td.x{background:#fff1c2}table.src td.e{background:#f6f6f6}\n"
    ".na{color:#b3261e;font-style:italic}.note{color:#555}\n";

static void contents(FILE *out, const rp_project *p, const rp_findings *fd) {
  fputs("<table class=\"groups\"><thead><tr><th>#</th><th>kind</th>"
        "<th>first</th><th>function</th><th>members</th><th>saving</th>"
        "</tr></thead>\n<tbody>\n",
        out);
  for (size_t i = 0; i < fd->n_groups; i++) {
    const rp_group *g = &fd->groups[i];
    const asx_func *f = p->fns[g->members[0].fn].f;
    char at[4200];
    rp_where(f, at, sizeof at);
    fprintf(out, "<tr><td><a href=\"#g%zu\">%zu</a></td><td>%s</td><td>", i + 1,
            i + 1, rp_kind(g));
    esc(out, at);
    fputs("</td><td><code>", out);
    esc(out, f->name);
    fprintf(out,
            "</code></td><td class=\"num\">%zu</td><td class=\"num\">%llu"
            "</td></tr>\n",
            g->n, (unsigned long long)g->saving);
  }
  fputs("</tbody></table>\n", out);
}

void rp_write_html(FILE *out, const rp_project *p, const rp_settings *s,
                   const rp_findings *fd) {
  fprintf(out,
          "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
          "charset=\"utf-8\">\n<meta name=\"generator\" "
          "content=\"accelstrat-report %s\">\n<title>accelstrat-report: "
          "identical and near-duplicate functions</title>\n<style>\n%s"
          "</style>\n</head>\n<body>\n<h1>Identical and near-duplicate "
          "functions</h1>\n<p class=\"tally\">",
          AS_VERSION_STRING, style);
  rp_tally(out, p, fd);
  fprintf(out,
          "; near-duplicates at least %g similar, functions of at least %u "
          "instructions (accelstrat-report %s).</p>\n",
          s->min_similarity, s->min_instructions, AS_VERSION_STRING);
  fprintf(out,
          "<p class=\"about\">Groups are ranked by what merging them would "
          "save, in instructions, as in the text report. Each lists its "
          "members, each against the group's first (the first in file, line "
          "and column order). Below, the source of the first beside each "
          "other member's (at most %d members a group), from the line the "
          "record gives to the brace that closes the body (at most %d "
          "lines), as the files read when this page was written; lines that "
          "differ, white space around them aside, are marked.</p>\n",
          MAX_COMPARED, MAX_LINES);
  if (fd->n_groups == 0) {
    fputs("<p class=\"none\">No groups.</p>\n</body>\n</html>\n", out);
    return;
  }
  contents(out, p, fd);
  sources c = {0};
  for (size_t i = 0; i < fd->n_groups; i++)
    group(out, &c, p, &fd->groups[i], i + 1);
  sources_free(&c);
  fputs("</body>\n</html>\n", out);
}
