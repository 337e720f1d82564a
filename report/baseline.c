/* Fingerprints of an earlier report (baseline.h). The report's JSON and
 * SARIF are ours: their fingerprints are strings under known keys, read
 * with JSON's string escapes; the rest of the document is not needed. */
#include "baseline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rp_fingerprint(const rp_project *p, const rp_group *g, char *buf,
                    size_t len) {
  const asx_func *f = p->fns[g->members[0].fn].f;
  snprintf(buf, len, "%s:%s:%s", g->identical ? "identical" : "similar",
           f->symbol, f->file);
}

/* One UTF-8 encoding of code point c (below 0x10000) into out. */
static size_t utf8(unsigned c, char *out) {
  if (c < 0x80) return out[0] = (char)c, 1;
  if (c < 0x800) {
    out[0] = (char)(0xc0 | c >> 6), out[1] = (char)(0x80 | (c & 0x3f));
    return 2;
  }
  out[0] = (char)(0xe0 | c >> 12), out[1] = (char)(0x80 | (c >> 6 & 0x3f));
  out[2] = (char)(0x80 | (c & 0x3f));
  return 3;
}

/* The JSON string starting at s (after its opening quote), decoded into a
 * malloc'ed copy; *end after its closing quote. NULL when malformed. */
static char *json_string(const char *s, const char **end) {
  char *out = malloc(strlen(s) + 1), *o = out;
  if (!out) return NULL;
  for (; *s && *s != '"'; s++) {
    if (*s != '\\') {
      *o++ = *s;
      continue;
    }
    const char e = *++s;
    const char *simple = strchr("\"\\/bfnrt", e);
    if (e && simple) {
      static const char to[] = "\"\\/\b\f\n\r\t";
      *o++ = to[simple - "\"\\/bfnrt"];
    } else if (e == 'u') {
      unsigned c;
      if (sscanf(s + 1, "%4x", &c) != 1) break;
      o += utf8(c, o);
      s += 4;
    } else {
      break;
    }
  }
  if (*s != '"') {
    free(out);
    return NULL;
  }
  *o = '\0';
  *end = s + 1;
  return out;
}

static int by_text(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every string value under "key" in text, appended to b. */
static int collect(const char *text, const char *key, rp_baseline *b) {
  char quoted[64];
  snprintf(quoted, sizeof quoted, "\"%s\"", key);
  for (const char *at = strstr(text, quoted); at; at = strstr(at, quoted)) {
    at += strlen(quoted);
    while (*at == ' ' || *at == '\n' || *at == '\t' || *at == '\r') at++;
    if (*at++ != ':') continue;
    while (*at == ' ' || *at == '\n' || *at == '\t' || *at == '\r') at++;
    if (*at++ != '"') continue;
    char *v = json_string(at, &at);
    if (!v) return -1;
    char **grown = realloc(b->prints, (b->n + 1) * sizeof *grown);
    if (!grown) {
      free(v);
      return -1;
    }
    b->prints = grown;
    b->prints[b->n++] = v;
  }
  return 0;
}

int rp_baseline_load(const char *path, rp_baseline *b, char *err,
                     size_t errlen) {
  *b = (rp_baseline){0};
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "cannot read baseline '%s'", path);
    return -1;
  }
  size_t cap = 1 << 16, n = 0;
  char *text = malloc(cap + 1);
  for (size_t got; text && (got = fread(text + n, 1, cap - n, f)) > 0;) {
    n += got;
    if (n == cap) {
      char *grown = realloc(text, 2 * cap + 1);
      if (!grown) free(text);
      text = grown;
      cap *= 2;
    }
  }
  fclose(f);
  int rc = text ? 0 : -1;
  if (text) {
    text[n] = '\0';
    rc = collect(text, "fingerprint", b);
    if (rc == 0) rc = collect(text, "accelstratGroup/v1", b);
    if (rc == 0 && !strstr(text, "accelstrat-report")) rc = -1;
  }
  free(text);
  if (rc < 0) {
    snprintf(err, errlen, "baseline '%s' is not a report of accelstrat-report",
             path);
    rp_baseline_free(b);
    return -1;
  }
  qsort(b->prints, b->n, sizeof *b->prints, by_text);
  return 0;
}

int rp_baseline_has(const rp_baseline *b, const char *print) {
  return b->n && bsearch(&print, b->prints, b->n, sizeof *b->prints, by_text);
}

void rp_baseline_free(rp_baseline *b) {
  for (size_t i = 0; i < b->n; i++) free(b->prints[i]);
  free(b->prints);
  *b = (rp_baseline){0};
}
