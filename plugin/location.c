#include "location.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Drops a trailing balanced group such as "(int) const" or "<int>" that ends
 * at or before *end; returns the new end. */
static size_t strip_group(const char *s, size_t end, char open, char close) {
  size_t i = end;
  while (i > 0 && s[i - 1] != close) {
    if (s[i - 1] == open || s[i - 1] == ':') return end; /* no group here */
    i--;
  }
  if (i == 0) return end;
  int depth = 0;
  while (i > 0) {
    char c = s[--i];
    if (c == close)
      depth++;
    else if (c == open && --depth == 0)
      return i;
  }
  return end;
}

static int is_ident(char c) { return isalnum((unsigned char)c) || c == '_'; }

void asp_base_name(const char *demangled, char *buf, size_t len) {
  size_t end = strlen(demangled);
  end = strip_group(demangled, end, '(', ')');
  while (end > 0 && demangled[end - 1] == ' ') end--;
  end = strip_group(demangled, end, '<', '>');
  /* The last component: after the last "::" outside template arguments. */
  size_t begin = end;
  for (int depth = 0; begin > 0; begin--) {
    char c = demangled[begin - 1];
    if (c == '>')
      depth++;
    else if (c == '<')
      depth--;
    else if (depth == 0 && c == ':' && begin > 1 && demangled[begin - 2] == ':')
      break;
  }
  /* Operators ("V operator+", "operator\"\" _kb") are found on the line by
   * their keyword; anything else by the identifier that ends the name. */
  const char *name = demangled + end, *comp = demangled + begin;
  size_t n = 0;
  for (const char *p = comp; p + 8 <= demangled + end; p++)
    if (strncmp(p, "operator", 8) == 0 && (p == comp || !is_ident(p[-1])) &&
        (p + 8 == demangled + end || !is_ident(p[8]))) {
      name = p;
      n = 8;
      break;
    }
  while (n == 0 && name > comp && (is_ident(name[-1]) || name[-1] == '~'))
    name--;
  if (n == 0) n = (size_t)(demangled + end - name);
  if (n >= len) n = len - 1;
  memcpy(buf, name, n);
  buf[n] = '\0';
}

unsigned asp_find_name_column(const char *line, const char *name) {
  size_t n = strlen(name);
  if (n == 0) return 0;
  if (name[0] == '~') { /* a destructor: "~S" may be written "~ S" */
    name++;
    n--;
  }
  /* The declarator: the first whole-word occurrence followed by its
   * parameter list or template arguments ("struct node *node(" names the
   * function second); any whole-word occurrence otherwise. */
  unsigned any = 0;
  for (const char *p = strstr(line, name); p; p = strstr(p + 1, name)) {
    if ((p != line && is_ident(p[-1])) || is_ident(p[n])) continue;
    const char *after = p + n;
    while (*after == ' ' || *after == '\t') after++;
    unsigned col = (unsigned)(p - line) + 1;
    if (*after == '(' || *after == '<') return col;
    if (!any) any = col;
  }
  return any;
}

static void load(asp_locator *lc, const char *path) {
  if (strcmp(lc->path, path) == 0) return;
  asp_locator_free(lc);
  snprintf(lc->path, sizeof lc->path, "%s", path);
  FILE *f = fopen(path, "rb");
  if (!f) return;
  size_t cap = 1 << 16, n = 0, got;
  char *text = malloc(cap);
  while (text && (got = fread(text + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (cap - n - 1 == 0) {
      char *bigger = realloc(text, cap *= 2);
      if (!bigger) free(text);
      text = bigger;
    }
  }
  fclose(f);
  if (!text) return;
  text[n] = '\0';
  size_t lines = 1;
  for (size_t i = 0; i < n; i++) lines += text[i] == '\n';
  lc->line_start = malloc(lines * sizeof *lc->line_start);
  if (!lc->line_start) {
    free(text);
    return;
  }
  lc->line_start[0] = 0;
  lc->n_lines = 1;
  for (size_t i = 0; i < n; i++)
    if (text[i] == '\n') {
      text[i] = '\0'; /* each line becomes its own string */
      lc->line_start[lc->n_lines++] = i + 1;
    }
  lc->text = text;
}

void asp_locator_free(asp_locator *lc) {
  free(lc->text);
  free(lc->line_start);
  memset(lc, 0, sizeof *lc);
}

void asp_take_frontend_sites(asp_module *mod) {
  for (size_t i = 0; i < mod->n; i++) {
    asp_func *f = &mod->funcs[i];
    asp_decl_site site;
    if (asp_frontend_site(f->name, f->name_len, &site) < 0) continue;
    f->file = site.file;
    f->file_len = site.file_len;
    f->dir = NULL;
    f->dir_len = 0;
    f->line = site.line;
    f->col = site.col;
    f->in_system_header = site.in_system_header;
    f->template_origin = site.template_origin;
  }
}

void asp_locate(asp_locator *lc, LLVMModuleRef m, const asp_func *f,
                const char *demangled, asp_location *loc) {
  memset(loc, 0, sizeof *loc);
  if (!f->file) {
    size_t n;
    const char *src = LLVMGetSourceFileName(m, &n);
    snprintf(loc->file, sizeof loc->file, "%.*s", (int)n, src);
    return;
  }
  if (f->dir)
    snprintf(loc->file, sizeof loc->file, "%.*s/%.*s", (int)f->dir_len, f->dir,
             (int)f->file_len, f->file);
  else
    snprintf(loc->file, sizeof loc->file, "%.*s", (int)f->file_len, f->file);
  loc->line = f->line;
  loc->col = f->col;
  if (loc->col || !loc->line) return;
  /* The path as printed opens from here: absolute, or relative to the
   * working directory. */
  char base[256];
  load(lc, loc->file);
  if (lc->text && loc->line <= lc->n_lines) {
    asp_base_name(demangled, base, sizeof base);
    loc->col =
        asp_find_name_column(lc->text + lc->line_start[loc->line - 1], base);
  }
}
