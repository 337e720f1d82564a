/* fuzz_json's trees: what the target wrote and what a parser read back
 * (jnode), its strict parser, the comparisons, and what jansson needs
 * (lone "\udcXX" escapes rewritten; strings mapped the same way). */
#ifndef ACCELSTRAT_FUZZ_JSON_TREE_H
#define ACCELSTRAT_FUZZ_JSON_TREE_H

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

typedef enum jtype {
  J_OBJ,
  J_ARR,
  J_STR,
  J_NUM,
  J_TRUE,
  J_FALSE,
  J_NULL
} jtype;
/* A number as parsed (its text) or as written (its value). */
enum { NUM_TEXT, NUM_U64, NUM_I64, NUM_DOUBLE };

typedef struct jnode {
  jtype t;
  int kind;
  uint64_t u;
  int64_t i;
  double d;
  char *key; /* an object member's */
  size_t key_len;
  char *s; /* a string's bytes or a number's text */
  size_t len;
  struct jnode *kids;
  size_t n, cap;
} jnode;

static void jnode_init(jnode *v) { memset(v, 0, sizeof *v); }

static void jnode_free(jnode *v) {
  for (size_t k = 0; k < v->n; k++) jnode_free(&v->kids[k]);
  free(v->kids), free(v->key), free(v->s);
}

/* A new last child (the pointer lasts until v's next jnode_add). */
static jnode *jnode_add(jnode *v) {
  if (v->n == v->cap) {
    v->cap = v->cap ? 2 * v->cap : 4;
    v->kids = realloc(v->kids, v->cap * sizeof *v->kids);
    if (!v->kids) abort();
  }
  jnode_init(&v->kids[v->n]);
  return &v->kids[v->n++];
}

static char *jdup(const char *s, size_t len) {
  char *d = malloc(len + 1);
  if (!d) abort();
  memcpy(d, s, len);
  d[len] = '\0';
  return d;
}

static void jnode_set_key(jnode *v, const char *k, size_t len) {
  free(v->key);
  v->key = jdup(k, len), v->key_len = len;
}

static void jnode_set_str(jnode *v, const char *s, size_t len) {
  free(v->s);
  v->s = jdup(s, len), v->len = len;
}

/* ---- UTF-8, by code point (RFC 3629) ---- */

/* Bytes of the well-formed sequence at s[0, n), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
  size_t k;
  uint32_t cp, min;
  if (s[0] < 0x80) return 1;
  if ((s[0] & 0xE0) == 0xC0)
    k = 2, cp = s[0] & 0x1F, min = 0x80;
  else if ((s[0] & 0xF0) == 0xE0)
    k = 3, cp = s[0] & 0x0F, min = 0x800;
  else if ((s[0] & 0xF8) == 0xF0)
    k = 4, cp = s[0] & 0x07, min = 0x10000;
  else
    return 0;
  if (n < k) return 0;
  for (size_t i = 1; i < k; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (s[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return k;
}

static size_t utf8_put(char *out, uint32_t cp) {
  if (cp < 0x80) return out[0] = (char)cp, 1;
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | cp >> 6), out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | cp >> 12), out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | cp >> 18), out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
  out[2] = (char)(0x80 | (cp >> 6 & 0x3F)), out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* s with every byte outside well-formed UTF-8 as U+00XX: what jansson
 * reads after jansson_escapes. */
static char *jansson_map(const char *s, size_t len, size_t *out_len) {
  const unsigned char *u = (const unsigned char *)s;
  char *out = malloc(2 * len + 1);
  size_t n = 0;
  if (!out) abort();
  for (size_t i = 0; i < len;) {
    size_t k = utf8_seq(u + i, len - i);
    if (k == 0) {
      n += utf8_put(out + n, u[i++]);
    } else {
      memcpy(out + n, u + i, k), n += k, i += k;
    }
  }
  *out_len = n;
  return out;
}

/* The document with each "\udcXX" (XX >= 80) inside a string as "\u00XX". */
static char *jansson_escapes(const char *doc, size_t len, size_t *out_len) {
  char *out = malloc(len + 1);
  size_t n = 0;
  int in_string = 0;
  if (!out) abort();
  for (size_t i = 0; i < len;) {
    if (in_string && doc[i] == '\\' && i + 1 < len) {
      if (doc[i + 1] == 'u' && i + 6 <= len && (doc[i + 2] | 0x20) == 'd' &&
          (doc[i + 3] | 0x20) == 'c' && strchr("89abcdefABCDEF", doc[i + 4]) &&
          doc[i + 4]) {
        memcpy(out + n, "\\u00", 4), n += 4;
        out[n++] = doc[i + 4], out[n++] = doc[i + 5];
        i += 6;
      } else {
        out[n++] = doc[i++], out[n++] = doc[i++];
      }
      continue;
    }
    if (doc[i] == '"') in_string = !in_string;
    out[n++] = doc[i++];
  }
  out[n] = '\0';
  *out_len = n;
  return out;
}

/* ---- the strict parser ---- */

typedef struct jparser {
  const char *start, *p, *end;
  char *why;
  size_t why_len;
} jparser;

static int jfail(jparser *ps, const char *what) {
  snprintf(ps->why, ps->why_len, "%s at byte %td", what, ps->p - ps->start);
  return -1;
}

static int hex4(const char *p, uint32_t *v) {
  *v = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0) return -1;
    *v = *v << 4 | (uint32_t)d;
  }
  return 0;
}

/* A string's bytes into *out (malloc'd). */
static int jstring(jparser *ps, char **out, size_t *out_len) {
  size_t cap = (size_t)(ps->end - ps->p) + 1, n = 0;
  char *buf = malloc(cap);
  if (!buf) abort();
  ps->p++; /* the quote */
  for (;;) {
    if (ps->p >= ps->end) return free(buf), jfail(ps, "unterminated string");
    unsigned char c = (unsigned char)*ps->p;
    if (c == '"') break;
    if (c < 0x20) return free(buf), jfail(ps, "raw control character");
    if (c >= 0x80) {
      size_t k =
          utf8_seq((const unsigned char *)ps->p, (size_t)(ps->end - ps->p));
      if (!k) return free(buf), jfail(ps, "raw bytes outside UTF-8");
      memcpy(buf + n, ps->p, k), n += k, ps->p += k;
      continue;
    }
    if (c != '\\') {
      buf[n++] = (char)c, ps->p++;
      continue;
    }
    if (ps->end - ps->p < 2) return free(buf), jfail(ps, "cut escape");
    char e = ps->p[1];
    const char *simple = strchr("\"\\/bfnrt", e);
    if (e && simple) {
      buf[n++] = "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
      ps->p += 2;
      continue;
    }
    uint32_t v;
    if (e != 'u' || ps->end - ps->p < 6 || hex4(ps->p + 2, &v) < 0)
      return free(buf), jfail(ps, "bad escape");
    ps->p += 6;
    if (v >= 0xDC80 && v <= 0xDCFF)
      buf[n++] = (char)(v & 0xFF); /* a byte outside UTF-8 */
    else if (v >= 0xD800 && v <= 0xDFFF)
      return free(buf), jfail(ps, "a surrogate the writer never writes");
    else
      n += utf8_put(buf + n, v);
  }
  ps->p++;
  *out = buf, *out_len = n;
  return 0;
}

static int jdigits(jparser *ps) {
  const char *start = ps->p;
  while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
  return ps->p > start ? 0 : -1;
}

static int jnumber(jparser *ps, jnode *v) {
  const char *start = ps->p;
  if (*ps->p == '-') ps->p++;
  if (ps->p < ps->end && *ps->p == '0')
    ps->p++;
  else if (jdigits(ps) < 0)
    return jfail(ps, "bad number");
  if (ps->p < ps->end && *ps->p == '.' && (ps->p++, jdigits(ps) < 0))
    return jfail(ps, "bad fraction");
  if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
    ps->p++;
    if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-')) ps->p++;
    if (jdigits(ps) < 0) return jfail(ps, "bad exponent");
  }
  v->t = J_NUM, v->kind = NUM_TEXT;
  jnode_set_str(v, start, (size_t)(ps->p - start));
  return 0;
}

static int jvalue(jparser *ps, jnode *v, int depth) {
  if (ps->p >= ps->end) return jfail(ps, "missing value");
  if (depth > 64) return jfail(ps, "too deep");
  static const struct {
    const char *word;
    jtype t;
  } words[] = {{"true", J_TRUE}, {"false", J_FALSE}, {"null", J_NULL}};
  for (size_t w = 0; w < 3; w++) {
    size_t len = strlen(words[w].word);
    if ((size_t)(ps->end - ps->p) >= len &&
        memcmp(ps->p, words[w].word, len) == 0) {
      ps->p += len, v->t = words[w].t;
      return 0;
    }
  }
  char c = *ps->p;
  if (c == '"') {
    v->t = J_STR;
    return jstring(ps, &v->s, &v->len);
  }
  if (c == '-' || (c >= '0' && c <= '9')) return jnumber(ps, v);
  if (c != '{' && c != '[') return jfail(ps, "unexpected character");
  int object = c == '{';
  char close = object ? '}' : ']';
  v->t = object ? J_OBJ : J_ARR;
  ps->p++;
  if (ps->p < ps->end && *ps->p == close) return ps->p++, 0;
  for (;;) {
    jnode *kid = jnode_add(v);
    if (object) {
      if (ps->p >= ps->end || *ps->p != '"') return jfail(ps, "missing key");
      if (jstring(ps, &kid->key, &kid->key_len) < 0) return -1;
      if (ps->p >= ps->end || *ps->p++ != ':') return jfail(ps, "missing ':'");
    }
    if (jvalue(ps, kid, depth + 1) < 0) return -1;
    if (ps->p >= ps->end) return jfail(ps, "unterminated container");
    char sep = *ps->p++;
    if (sep == close) return 0;
    if (sep != ',') return jfail(ps, "missing ','");
  }
}

static int jparse(const char *doc, size_t len, jnode *out, char *why,
                  size_t why_len) {
  jparser ps = {doc, doc, doc + len, why, why_len};
  if (jvalue(&ps, out, 0) < 0) return -1;
  if (ps.p != ps.end) return jfail(&ps, "bytes after the value");
  return 0;
}

/* ---- comparisons ---- */

#define JDIFF(...) (snprintf(why, why_len, __VA_ARGS__), 0)

/* got (parsed) is want (written); lenient: an object's members by key,
 * others allowed too. */
static int jsame(const jnode *want, const jnode *got, int lenient, char *why,
                 size_t why_len) {
  if (want->t != got->t)
    return JDIFF("type %d read as %d", (int)want->t, (int)got->t);
  char text[32];
  switch (want->t) {
  case J_NUM:
    if (want->kind == NUM_DOUBLE) {
      double d = strtod(got->s, NULL);
      if (memcmp(&d, &want->d, sizeof d) != 0)
        return JDIFF("double %.17g read as %s", want->d, got->s);
      return got->len <= 24 ? 1 : JDIFF("double written long: %s", got->s);
    }
    if (want->kind == NUM_U64)
      snprintf(text, sizeof text, "%" PRIu64, want->u);
    else
      snprintf(text, sizeof text, "%" PRId64, want->i);
    return strcmp(text, got->s) == 0
               ? 1
               : JDIFF("integer %s read as %s", text, got->s);
  case J_STR:
    return want->len == got->len && memcmp(want->s, got->s, want->len) == 0
               ? 1
               : JDIFF("a string of %zu bytes read as one of %zu", want->len,
                       got->len);
  case J_OBJ:
  case J_ARR:
    if (!lenient || want->t == J_ARR) {
      if (want->n != got->n)
        return JDIFF("%zu members read as %zu", want->n, got->n);
      for (size_t k = 0; k < want->n; k++) {
        const jnode *a = &want->kids[k], *b = &got->kids[k];
        if (want->t == J_OBJ &&
            (a->key_len != b->key_len || memcmp(a->key, b->key, a->key_len)))
          return JDIFF("key %zu of %zu bytes read as %zu bytes", k, a->key_len,
                       b->key_len);
        if (!jsame(a, b, lenient, why, why_len)) return 0;
      }
      return 1;
    }
    for (size_t k = 0; k < want->n; k++) {
      const jnode *a = &want->kids[k], *match = NULL;
      for (size_t m = 0; m < got->n; m++) {
        const jnode *b = &got->kids[m];
        if (a->key_len != b->key_len || memcmp(a->key, b->key, a->key_len))
          continue;
        if (match) return JDIFF("key \"%s\" twice", a->key);
        match = b;
      }
      if (!match) return JDIFF("key \"%s\" missing", a->key);
      if (!jsame(a, match, lenient, why, why_len)) return 0;
    }
    return 1;
  default: return 1;
  }
}

static int jansson_string_is(const json_t *j, const char *s, size_t len) {
  size_t n;
  char *want = jansson_map(s, len, &n);
  int same = json_is_string(j) && json_string_length(j) == n &&
             memcmp(json_string_value(j), want, n) == 0;
  free(want);
  return same;
}

/* jansson's j is what want wrote (big: integers read as reals; lenient:
 * an object may have other keys too). */
static int jansson_same(const jnode *want, const json_t *j, int big,
                        int lenient, char *why, size_t why_len) {
  switch (want->t) {
  case J_NULL: return json_is_null(j) ? 1 : JDIFF("null read as another");
  case J_TRUE: return json_is_true(j) ? 1 : JDIFF("true read as another");
  case J_FALSE: return json_is_false(j) ? 1 : JDIFF("false read as another");
  case J_STR:
    return jansson_string_is(j, want->s, want->len)
               ? 1
               : JDIFF("a string of %zu bytes read otherwise", want->len);
  case J_NUM:
    if (want->kind == NUM_DOUBLE)
      return json_is_number(j) && json_number_value(j) == want->d
                 ? 1
                 : JDIFF("double %.17g read otherwise", want->d);
    if (big)
      return json_is_real(j) && json_real_value(j) == (want->kind == NUM_U64
                                                           ? (double)want->u
                                                           : (double)want->i)
                 ? 1
                 : JDIFF("integer read otherwise (as a real)");
    return json_is_integer(j) &&
                   (want->kind == NUM_U64
                        ? (uint64_t)json_integer_value(j) == want->u
                        : (int64_t)json_integer_value(j) == want->i)
               ? 1
               : JDIFF("integer read otherwise");
  case J_ARR:
    if (!json_is_array(j) || json_array_size(j) != want->n)
      return JDIFF("an array of %zu read otherwise", want->n);
    for (size_t k = 0; k < want->n; k++)
      if (!jansson_same(&want->kids[k], json_array_get(j, k), big, lenient, why,
                        why_len))
        return 0;
    return 1;
  case J_OBJ: {
    if (!json_is_object(j)) return JDIFF("an object read as another type");
    size_t distinct = 0;
    char **keys = calloc(want->n + 1, sizeof *keys);
    size_t *lens = calloc(want->n + 1, sizeof *lens);
    int ok = 1;
    for (size_t k = 0; k < want->n; k++)
      keys[k] = jansson_map(want->kids[k].key, want->kids[k].key_len, &lens[k]);
    for (size_t k = 0; k < want->n && ok; k++) {
      int last = 1; /* jansson keeps a key's last value */
      for (size_t m = k + 1; m < want->n && last; m++)
        last = lens[m] != lens[k] || memcmp(keys[m], keys[k], lens[k]) != 0;
      if (!last) continue;
      distinct++;
      const json_t *v = json_object_getn(j, keys[k], lens[k]);
      ok = v ? jansson_same(&want->kids[k], v, big, lenient, why, why_len)
             : JDIFF("key %zu missing", k);
    }
    if (ok && (lenient ? json_object_size(j) < distinct
                       : json_object_size(j) != distinct))
      ok = JDIFF("%zu keys read as %zu", distinct, json_object_size(j));
    for (size_t k = 0; k < want->n; k++) free(keys[k]);
    free(keys), free(lens);
    return ok;
  }
  }
  return JDIFF("unknown type");
}

#endif
