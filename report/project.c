/* The project (project.h): records in, each function once, identity
 * classes across TUs. */
#include "project.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "search/identity.h"
#include "support/fnv.h"

/* ---- TUs ------------------------------------------------------------------
 */

/* A configure-time test compile: CMake's try_compile and compiler checks
 * (CMakeFiles/CMakeScratch, CMakeFiles/CMakeTmp, CMakeFiles/VERSION/
 * CompilerIdC), autoconf's conftest.c. */
static bool is_configure_check(const asx_tu *tu) {
  static const char *const marks[] = {"/CMakeScratch/", "/CMakeTmp",
                                      "/CompilerIdC", "/CompilerIdCXX"};
  const char *where[2] = {tu->directory, tu->source};
  for (int w = 0; w < 2; w++)
    for (size_t m = 0; m < sizeof marks / sizeof *marks; m++)
      if (strstr(where[w], marks[m])) return true;
  const char *slash = strrchr(tu->source, '/');
  const char *base = slash ? slash + 1 : tu->source;
  return strncmp(base, "conftest.", 9) == 0;
}

int rp_add_tu(rp_project *p, const char *origin, asx_tu *tu) {
  if (is_configure_check(tu)) {
    p->skipped_configure++;
    asx_tu_free(tu);
    return 0;
  }
  char *where = strdup(origin);
  if (!where) {
    asx_tu_free(tu);
    return -1;
  }
  for (size_t i = 0; i < p->n_tus; i++)
    if (p->tus[i].tu.key == tu->key) { /* compiled again: the later one */
      asx_tu_free(&p->tus[i].tu);
      free(p->tus[i].origin);
      p->tus[i] = (rp_tu){*tu, where};
      p->replaced++;
      return 0;
    }
  if (p->n_tus == p->cap_tus) {
    size_t cap = p->cap_tus ? 2 * p->cap_tus : 64;
    rp_tu *grown = realloc(p->tus, cap * sizeof *grown);
    if (!grown) {
      free(where);
      asx_tu_free(tu);
      return -1;
    }
    p->tus = grown;
    p->cap_tus = cap;
  }
  p->tus[p->n_tus++] = (rp_tu){*tu, where};
  return 0;
}

/* ---- a hash table of 64-bit keys to indices ------------------------------ */

typedef struct table {
  uint64_t *keys;
  uint32_t *values; /* UINT32_MAX: empty */
  size_t cap;       /* a power of two */
} table;

static int table_init(table *t, size_t n) {
  t->cap = 16;
  while (t->cap < 2 * n + 16) t->cap *= 2;
  t->keys = malloc(t->cap * sizeof *t->keys);
  t->values = malloc(t->cap * sizeof *t->values);
  if (!t->keys || !t->values) return -1;
  memset(t->values, 0xff, t->cap * sizeof *t->values);
  return 0;
}

static void table_free(table *t) {
  free(t->keys);
  free(t->values);
}

static uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  return x ^ (x >> 33);
}

/* The slot of key: where it is, or the empty one where it would go. */
static size_t table_slot(const table *t, uint64_t key) {
  size_t i = mix(key) & (t->cap - 1);
  while (t->values[i] != UINT32_MAX && t->keys[i] != key)
    i = (i + 1) & (t->cap - 1);
  return i;
}

/* A string and its terminator: one string's end is not the next's start. */
static uint64_t fnv_str(uint64_t h, const char *s) {
  return as__fnv1a(h, s, strlen(s) + 1);
}

/* ---- each function once ----------------------------------------------------
 */

/* What makes two records one function seen twice: the same symbol and
 * place, the same hash, tokens and callee count. */
static uint64_t copy_key(const asx_func *f) {
  uint64_t h = fnv_str(AS_FNV_OFFSET, f->symbol);
  h = fnv_str(h, f->file);
  h = as__fnv1a(h, &f->line, sizeof f->line);
  h = as__fnv1a(h, &f->hash, sizeof f->hash);
  h = as__fnv1a(h, &f->n_callees, sizeof f->n_callees);
  return as__fnv1a(h, f->tokens, (size_t)f->n_insts * sizeof *f->tokens);
}

static bool same_copy(const asx_func *a, const asx_func *b) {
  return strcmp(a->symbol, b->symbol) == 0 && strcmp(a->file, b->file) == 0 &&
         a->line == b->line && a->hash == b->hash &&
         a->n_callees == b->n_callees && a->n_insts == b->n_insts &&
         memcmp(a->tokens, b->tokens, (size_t)a->n_insts * sizeof *a->tokens) ==
             0;
}

static int fold_copies(rp_project *p) {
  size_t total = 0;
  for (size_t t = 0; t < p->n_tus; t++) total += p->tus[t].tu.n_funcs;
  p->fns = calloc(total ? total : 1, sizeof *p->fns);
  p->of_tu = calloc(p->n_tus ? p->n_tus : 1, sizeof *p->of_tu);
  table seen;
  if (!p->fns || !p->of_tu || table_init(&seen, total) < 0) return -1;
  int rc = 0;
  for (size_t t = 0; t < p->n_tus && rc == 0; t++) {
    const asx_tu *tu = &p->tus[t].tu;
    p->of_tu[t] = malloc((tu->n_funcs ? tu->n_funcs : 1) * sizeof(uint32_t));
    if (!p->of_tu[t]) rc = -1;
    for (uint32_t i = 0; rc == 0 && i < tu->n_funcs; i++) {
      const asx_func *f = &tu->funcs[i];
      uint64_t key = copy_key(f);
      size_t s = table_slot(&seen, key);
      uint32_t other = seen.values[s];
      if (other != UINT32_MAX && same_copy(p->fns[other].f, f)) {
        p->fns[other].n_tus++;
        p->of_tu[t][i] = other;
        continue;
      }
      const uint32_t at = (uint32_t)p->n_fns++;
      p->fns[at] = (rp_fn){f, (uint32_t)t, 1, NULL, at};
      p->of_tu[t][i] = at;
      if (other == UINT32_MAX) {
        seen.keys[s] = key;
        seen.values[s] = at;
      }
    }
  }
  table_free(&seen);
  return rc;
}

/* ---- callees and classes ---------------------------------------------------
 */

/* The one definition of each symbol that cannot be replaced at link time,
 * by a hash of its name: its function, or UINT32_MAX - 1 where there are
 * several. */
static int index_definitions(const rp_project *p, table *defs) {
  if (table_init(defs, p->n_fns) < 0) return -1;
  for (size_t i = 0; i < p->n_fns; i++) {
    const asx_func *f = p->fns[i].f;
    if (f->linkage != ASX_LINK_EXTERNAL && f->linkage != ASX_LINK_ODR) continue;
    uint64_t key = fnv_str(AS_FNV_OFFSET, f->symbol);
    size_t s = table_slot(defs, key);
    if (defs->values[s] == UINT32_MAX) {
      defs->keys[s] = key;
      defs->values[s] = (uint32_t)i;
    } else {
      defs->values[s] = UINT32_MAX - 1; /* several: by name */
    }
  }
  return 0;
}

/* What a call by symbol stands for: the definition, else the name (an id
 * of its own, numbered in names). */
static uint32_t resolve(const table *defs, table *names, uint32_t *n_names,
                        const char *symbol) {
  uint64_t key = fnv_str(AS_FNV_OFFSET, symbol);
  uint32_t v = defs->values[table_slot(defs, key)];
  if (v < UINT32_MAX - 1) return v;
  size_t s = table_slot(names, key);
  if (names->values[s] == UINT32_MAX) {
    names->keys[s] = key;
    names->values[s] = (*n_names)++;
  }
  return RP_EXTERN | names->values[s];
}

static int resolve_callees(rp_project *p) {
  size_t calls = 0;
  for (size_t i = 0; i < p->n_fns; i++) calls += p->fns[i].f->n_callees;
  table defs = {0}, names = {0};
  uint32_t n_names = 0;
  int rc =
      index_definitions(p, &defs) < 0 || table_init(&names, calls) < 0 ? -1 : 0;
  for (size_t i = 0; i < p->n_fns && rc == 0; i++) {
    rp_fn *fn = &p->fns[i];
    const asx_tu *tu = &p->tus[fn->tu].tu;
    const asx_func *f = fn->f;
    fn->callees = malloc((f->n_callees ? f->n_callees : 1) * sizeof(uint32_t));
    if (!fn->callees) rc = -1;
    for (uint32_t c = 0; rc == 0 && c < f->n_callees; c++) {
      uint32_t v = f->callees[c];
      if (v < tu->n_funcs && tu->funcs[v].linkage == ASX_LINK_INTERNAL)
        fn->callees[c] = p->of_tu[fn->tu][v];
      else
        fn->callees[c] =
            resolve(&defs, &names, &n_names,
                    v < tu->n_funcs ? tu->funcs[v].symbol
                                    : tu->externs[v - tu->n_funcs]);
    }
  }
  table_free(&defs);
  table_free(&names);
  return rc;
}

/* Equal hashes and callee counts, both eligible, the same TU where either
 * is bound to its own: equal but for the callees. */
static bool same_local(const rp_fn *a, const rp_fn *b) {
  if (a->f->hash != b->f->hash || a->f->n_callees != b->f->n_callees ||
      !(a->f->flags & b->f->flags & ASX_F_ELIGIBLE))
    return false;
  return !((a->f->flags | b->f->flags) & ASX_F_TU_GLOBALS) || a->tu == b->tu;
}

static uint64_t local_key(const rp_fn *fn) {
  uint64_t h = as__fnv1a(AS_FNV_OFFSET, &fn->f->hash, sizeof fn->f->hash);
  if (fn->f->flags & ASX_F_TU_GLOBALS) h = as__fnv1a(h, &fn->tu, sizeof fn->tu);
  return h;
}

/* Each eligible function's group: the first function equal to it but for
 * the callees. */
static int local_groups(const rp_project *p, ass_node *nodes) {
  table firsts;
  if (table_init(&firsts, p->n_fns) < 0) return -1;
  for (size_t i = 0; i < p->n_fns; i++) {
    const rp_fn *fn = &p->fns[i];
    nodes[i].group = ASS_NO_GROUP;
    if (!(fn->f->flags & ASX_F_ELIGIBLE)) continue;
    const uint64_t key = local_key(fn);
    size_t s = table_slot(&firsts, key);
    while (firsts.values[s] != UINT32_MAX &&
           !same_local(&p->fns[firsts.values[s]], fn)) {
      s = (s + 1) & (firsts.cap - 1); /* the same key by chance */
      while (firsts.values[s] != UINT32_MAX && firsts.keys[s] != key)
        s = (s + 1) & (firsts.cap - 1);
    }
    if (firsts.values[s] == UINT32_MAX) {
      firsts.keys[s] = key;
      firsts.values[s] = (uint32_t)i;
    }
    nodes[i].group = firsts.values[s];
  }
  table_free(&firsts);
  return 0;
}

/* Identity classes (search/identity.h) over the project's functions and,
 * after them, the names of callees it does not define for good, each a
 * class of its own. */
static int assign_classes(rp_project *p) {
  size_t n = p->n_fns, n_names = 0, n_calls = 0;
  for (size_t i = 0; i < n; i++)
    for (uint32_t c = 0; c < p->fns[i].f->n_callees; c++, n_calls++)
      if (p->fns[i].callees[c] & RP_EXTERN &&
          (p->fns[i].callees[c] & ~RP_EXTERN) >= n_names)
        n_names = (p->fns[i].callees[c] & ~RP_EXTERN) + 1u;
  const size_t total = n + n_names;
  ass_node *nodes = calloc(total ? total : 1, sizeof *nodes);
  uint32_t *calls = malloc((n_calls ? n_calls : 1) * sizeof *calls);
  uint32_t *klass = malloc((total ? total : 1) * sizeof *klass);
  int rc = nodes && calls && klass ? local_groups(p, nodes) : -1;
  for (size_t i = n; rc == 0 && i < total; i++) nodes[i].group = ASS_NO_GROUP;
  uint32_t *at = calls;
  for (size_t i = 0; rc == 0 && i < n; i++) {
    const rp_fn *fn = &p->fns[i];
    nodes[i].n_calls = fn->f->n_callees;
    nodes[i].calls = at;
    for (uint32_t c = 0; c < fn->f->n_callees; c++) {
      const uint32_t k = fn->callees[c];
      *at++ = k & RP_EXTERN ? (uint32_t)n + (k & ~RP_EXTERN) : k;
    }
  }
  if (rc == 0) rc = ass_identity_classes(nodes, total, klass);
  for (size_t i = 0; rc == 0 && i < n; i++) p->fns[i].klass = klass[i];
  free(nodes), free(calls), free(klass);
  return rc;
}

int rp_finish(rp_project *p) {
  if (fold_copies(p) < 0 || resolve_callees(p) < 0) return -1;
  return assign_classes(p);
}

void rp_project_free(rp_project *p) {
  for (size_t i = 0; i < p->n_fns; i++) free(p->fns[i].callees);
  for (size_t t = 0; p->of_tu && t < p->n_tus; t++) free(p->of_tu[t]);
  for (size_t t = 0; t < p->n_tus; t++) {
    asx_tu_free(&p->tus[t].tu);
    free(p->tus[t].origin);
  }
  free(p->of_tu);
  free(p->fns);
  free(p->tus);
  *p = (rp_project){0};
}
