/* accelstrat-report's project (report/project.c) and findings
 * (report/findings.c) on records made here: every near-duplicate pair at
 * or above the threshold against a plain DP over every pair of
 * representatives, on random and mutated token streams, the same findings
 * for every strategy, thread count and injected fault, and identity
 * classes across TUs on cases whose mergefunc answer is known. */
#include <stdlib.h>
#include <string.h>

#include <accelstrat/accelstrat.h>

#include "findings.h"
#include "project.h"
#include "test_util.h"

/* ---- records made here ---- */

typedef struct fn_spec {
  const char *symbol;
  uint8_t linkage, flags;
  uint32_t n;
  uint32_t *tokens;
  uint64_t hash;
  uint32_t n_callees;
  uint32_t callees[4];
} fn_spec;

/* A TU of the given functions and externs, through the encoder and the
 * decoder, into p. */
static void add_tu(rp_project *p, const char *source, const fn_spec *fs,
                   uint32_t n, const char *const *externs, uint32_t n_externs) {
  asx_func *funcs = calloc(n ? n : 1, sizeof *funcs);
  char line_file[64];
  snprintf(line_file, sizeof line_file, "%s", source);
  for (uint32_t i = 0; i < n; i++)
    funcs[i] = (asx_func){.symbol = fs[i].symbol,
                          .name = fs[i].symbol,
                          .file = line_file,
                          .line = i + 1,
                          .col = 1,
                          .linkage = fs[i].linkage,
                          .flags = fs[i].flags,
                          .n_insts = fs[i].n,
                          .hash = fs[i].hash,
                          .n_callees = fs[i].n_callees,
                          .callees = fs[i].callees,
                          .tokens = fs[i].tokens};
  uint64_t key = 1469598103934665603ull;
  for (const char *c = source; *c; c++)
    key = (key ^ (unsigned char)*c) * 1099511628211ull;
  asx_tu tu = {.source = source,
               .directory = "/project",
               .output = "",
               .producer = "test",
               .key = key,
               .n_externs = n_externs,
               .externs = externs,
               .n_funcs = n,
               .funcs = funcs};
  unsigned char *buf = NULL;
  size_t len = 0, used = 0;
  char err[256];
  CHECK_MSG(asx_encode(&tu, &buf, &len, err, sizeof err) == 0, "%s", err);
  asx_tu out;
  CHECK_MSG(asx_decode(buf, len, &out, &used, err, sizeof err) == 0, "%s", err);
  CHECK(rp_add_tu(p, source, &out) == 0);
  free(buf);
  free(funcs);
}

static uint64_t tokens_hash(const uint32_t *t, uint32_t n) {
  uint64_t h = 1469598103934665603ull;
  for (uint32_t i = 0; i < n; i++) h = (h ^ t[i]) * 1099511628211ull;
  return h ^ n;
}

/* ---- the reference: DP LCS over every pair of representatives ---- */

static uint32_t dp_lcs(const uint32_t *a, uint32_t n, const uint32_t *b,
                       uint32_t m) {
  uint32_t *row = calloc(m + 1, sizeof *row);
  for (uint32_t i = 1; i <= n; i++) {
    uint32_t diag = 0;
    for (uint32_t j = 1; j <= m; j++) {
      uint32_t up = row[j];
      row[j] = a[i - 1] == b[j - 1]  ? diag + 1
               : row[j] > row[j - 1] ? row[j]
                                     : row[j - 1];
      diag = up;
    }
  }
  uint32_t r = row[m];
  free(row);
  return r;
}

/* The reference pairs, sorted as findings' (a, b by report order). */
static size_t reference_pairs(const rp_project *p, const rp_settings *s,
                              rp_pair *out) {
  uint32_t *reps = malloc(p->n_fns * sizeof *reps);
  size_t n = 0, np = 0;
  for (uint32_t i = 0; i < p->n_fns; i++) {
    const rp_fn *f = &p->fns[i];
    if (f->f->n_insts < s->min_instructions) continue;
    int first = 1; /* the first in report order of its class */
    for (uint32_t j = 0; j < p->n_fns; j++)
      if (j != i && p->fns[j].klass == f->klass &&
          p->fns[j].f->n_insts >= s->min_instructions && rp_fn_cmp(p, j, i) < 0)
        first = 0;
    if (first) reps[n++] = i;
  }
  for (size_t x = 0; x < n; x++)
    for (size_t y = 0; y < n; y++) {
      uint32_t a = reps[x], b = reps[y];
      if (rp_fn_cmp(p, a, b) >= 0) continue;
      const asx_func *fa = p->fns[a].f, *fb = p->fns[b].f;
      uint32_t l = dp_lcs(fa->tokens, fa->n_insts, fb->tokens, fb->n_insts);
      if (as_similarity_reaches(l, fa->n_insts + fb->n_insts,
                                s->min_similarity))
        out[np++] = (rp_pair){a, b, l, fa->n_insts + fb->n_insts};
    }
  free(reps);
  return np;
}

static const rp_project *sorting;
static int pair_order(const void *x, const void *y) {
  const rp_pair *a = x, *b = y;
  int c = rp_fn_cmp(sorting, a->a, b->a);
  return c ? c : rp_fn_cmp(sorting, a->b, b->b);
}

/* ---- random projects ---- */

/* A stream: a mutation of base (each token kept, replaced, dropped, or
 * followed by a new one) or, without base, random. */
static uint32_t *stream(test_rng *rng, const uint32_t *base, uint32_t n,
                        uint32_t alphabet, double rate, uint32_t *out_n) {
  uint32_t *t = malloc((2 * n + 2) * sizeof *t), k = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t v = base ? base[i] : test_below(rng, alphabet);
    if (base && test_chance(rng, rate)) {
      int what = (int)test_below(rng, 3);
      if (what == 0) continue;
      if (what == 1) v = test_below(rng, alphabet);
      if (what == 2) t[k++] = test_below(rng, alphabet);
    }
    t[k++] = v;
  }
  *out_n = k;
  return t;
}

static void random_project(test_rng *rng, rp_project *p, uint32_t ***pool,
                           size_t *n_pool) {
  const uint32_t tus = 2 + test_below(rng, 4);
  const uint32_t alphabet = 2 + test_below(rng, 300);
  uint32_t *bases[4], nb[4];
  for (int b = 0; b < 4; b++)
    bases[b] = stream(rng, NULL, 8 + test_below(rng, 120), alphabet, 0, &nb[b]);
  *pool = calloc(tus * 40 + 4, sizeof **pool);
  *n_pool = 0;
  for (int b = 0; b < 4; b++) (*pool)[(*n_pool)++] = bases[b];
  static const char *const externs[2] = {"strlen", "memcpy"};
  for (uint32_t t = 0; t < tus; t++) {
    fn_spec fs[40];
    const uint32_t n = 1 + test_below(rng, 40);
    char names[40][24], source[32];
    snprintf(source, sizeof source, "tu%u.c", t);
    for (uint32_t i = 0; i < n; i++) {
      const int b = (int)test_below(rng, 4);
      const double rate =
          test_chance(rng, 0.3) ? 0 : 0.02 + 0.2 * test_chance(rng, 0.5);
      uint32_t len;
      uint32_t *tok = stream(rng, bases[b], nb[b], alphabet, rate, &len);
      (*pool)[(*n_pool)++] = tok;
      snprintf(names[i], sizeof names[i], "f%u_%u", t, i);
      fs[i] = (fn_spec){names[i],
                        ASX_LINK_EXTERNAL,
                        ASX_F_ELIGIBLE,
                        len,
                        tok,
                        tokens_hash(tok, len),
                        0,
                        {0}};
      if (test_chance(rng, 0.5)) { /* a call by symbol: equal everywhere */
        fs[i].n_callees = 1;
        fs[i].callees[0] = n + (uint32_t)test_below(rng, 2);
      }
    }
    add_tu(p, source, fs, n, externs, 2);
  }
}

static void same_pairs(const rp_findings *a, const rp_pair *ref, size_t n_ref,
                       const char *what, uint64_t seed) {
  CHECK_MSG(a->n_pairs == n_ref, "seed %llu, %s: %zu pairs, the DP %zu",
            (unsigned long long)seed, what, a->n_pairs, n_ref);
  for (size_t i = 0; i < n_ref && i < a->n_pairs; i++)
    CHECK_MSG(a->pairs[i].a == ref[i].a && a->pairs[i].b == ref[i].b &&
                  a->pairs[i].lcs == ref[i].lcs,
              "seed %llu, %s: pair %zu differs", (unsigned long long)seed, what,
              i);
}

static int same_groups(const rp_findings *a, const rp_findings *b) {
  if (a->n_groups != b->n_groups) return 0;
  for (size_t g = 0; g < a->n_groups; g++) {
    const rp_group *x = &a->groups[g], *y = &b->groups[g];
    if (x->n != y->n || x->identical != y->identical || x->saving != y->saving)
      return 0;
    for (size_t m = 0; m < x->n; m++)
      if (memcmp(&x->members[m], &y->members[m], sizeof x->members[m]))
        return 0;
  }
  return 1;
}

/* One random project: the DP's pairs, whatever the strategy. */
static void one_random(uint64_t seed) {
  test_rng rng = {seed};
  rp_project p = {0};
  uint32_t **pool;
  size_t n_pool;
  random_project(&rng, &p, &pool, &n_pool);
  CHECK(rp_finish(&p) == 0);
  rp_settings s = {.min_similarity =
                       0.5 + 0.49 * (double)test_below(&rng, 1000) / 1000,
                   .min_instructions = 1 + test_below(&rng, 20)};
  rp_pair *ref = malloc((p.n_fns * p.n_fns + 1) * sizeof *ref);
  size_t n_ref = reference_pairs(&p, &s, ref);
  sorting = &p;
  qsort(ref, n_ref, sizeof *ref, pair_order);
  /* The first is the one the others are compared with; the second aligns
   * every pair; the last two plant a fault in the sim GPU's first chunk. */
  static const char *const strategies[] = {
      "cpu", "auto", "gpu", "hybrid", "hybrid:0.5", "gpu", "hybrid"};
  rp_findings first = {0};
  for (int k = 0; k < 7; k++) {
    as_config cfg;
    as_config_defaults(&cfg);
    CHECK(as_strategy_parse(strategies[k], &cfg.strategy) == 0);
    cfg.threads = 1 + k % 3;
    as_executor *ex = NULL;
    CHECK(as_executor_create(&cfg, &ex) == 0);
    if (k == 5) as_executor_inject(ex, AS_FAULT_GPU_OOM, 0);
    if (k == 6) as_executor_inject(ex, AS_FAULT_GPU_DRIVER_ERROR, 0);
    rp_settings sk = s;
    sk.exhaustive = k == 1;
    /* All but the first in small batches, so that the search crosses
     * batch boundaries (filter queries, exhaustive rows, align chunks). */
    if (k > 0) sk.filter_batch_tasks = (size_t)k % 4 + 1;
    if (k > 0) sk.align_batch_pairs = (size_t)k + 1;
    rp_findings fd;
    char err[512] = "";
    CHECK_MSG(rp_find(&p, &sk, ex, NULL, &fd, err, sizeof err) == 0, "%s", err);
    if (k > 0)
      CHECK_MSG(fd.align_batches == (fd.candidates + sk.align_batch_pairs - 1) /
                                        sk.align_batch_pairs,
                "seed %llu: %zu candidates in %zu align batches",
                (unsigned long long)seed, fd.candidates, fd.align_batches);
    /* Under AS_FILTER_BLOCK functions a query has one task at most. */
    if (k > 1 && fd.representatives <= AS_FILTER_BLOCK) {
      const size_t t = fd.batch[0].tasks, b = sk.filter_batch_tasks;
      CHECK_MSG(fd.filter_batches == (t ? (t + b - 1) / b : 1),
                "seed %llu: %zu filter tasks in %zu batches of %zu",
                (unsigned long long)seed, t, fd.filter_batches, b);
    }
    /* Each record sums its batches: the align one has every candidate,
     * and both add up across devices. */
    if (!sk.exhaustive)
      CHECK_MSG(fd.align_batches == 0 || fd.batch[1].tasks == fd.candidates,
                "seed %llu: %llu align tasks for %zu candidates",
                (unsigned long long)seed, (unsigned long long)fd.batch[1].tasks,
                fd.candidates);
    for (int r = 0; r < 2; r++)
      CHECK_MSG(fd.batch[r].tasks_on[AS_DEVICE_CPU] +
                        fd.batch[r].tasks_on[AS_DEVICE_GPU] ==
                    fd.batch[r].tasks,
                "seed %llu: %s: batch %d: %llu tasks, %llu + %llu on devices",
                (unsigned long long)seed, strategies[k], r,
                (unsigned long long)fd.batch[r].tasks,
                (unsigned long long)fd.batch[r].tasks_on[AS_DEVICE_CPU],
                (unsigned long long)fd.batch[r].tasks_on[AS_DEVICE_GPU]);
    qsort(fd.pairs, fd.n_pairs, sizeof *fd.pairs, pair_order);
    same_pairs(&fd, ref, n_ref, strategies[k], seed);
    if (k == 0)
      first = fd;
    else {
      CHECK_MSG(same_groups(&first, &fd), "seed %llu: %s: other groups",
                (unsigned long long)seed, strategies[k]);
      rp_findings_free(&fd);
    }
    as_executor_destroy(ex);
  }
  rp_findings_free(&first);
  free(ref);
  rp_project_free(&p);
  for (size_t i = 0; i < n_pool; i++) free(pool[i]);
  free(pool);
}

/* ---- identity across TUs ---- */

static uint32_t t_a[20] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                           11, 12, 13, 14, 15, 16, 17, 18, 19, 20};

static fn_spec spec(const char *sym, uint8_t linkage, uint8_t flags,
                    uint64_t hash, uint32_t n_callees, uint32_t c0,
                    uint32_t c1) {
  return (fn_spec){sym, linkage, flags, 20, t_a, hash, n_callees, {c0, c1}};
}

static uint32_t klass_of(const rp_project *p, const char *tu, const char *sym) {
  for (size_t i = 0; i < p->n_fns; i++)
    if (strcmp(p->fns[i].f->symbol, sym) == 0 &&
        strcmp(p->tus[p->fns[i].tu].tu.source, tu) == 0)
      return p->fns[i].klass;
  TEST_FAIL("no %s in %s", sym, tu);
  return UINT32_MAX;
}

static void identity_cases(void) {
  const uint8_t E = ASX_F_ELIGIBLE, G = ASX_F_ELIGIBLE | ASX_F_TU_GLOBALS;
  const char *ext[1] = {"foo"};
  rp_project p = {0};
  /* a.c: static mix, hash calling it, foo defined, caller calling foo (by
   * index), f <-> g mutually recursive, s using a.c's own global (twice). */
  fn_spec a[8] = {spec("mix", ASX_LINK_INTERNAL, E, 7, 0, 0, 0),
                  spec("hash", ASX_LINK_EXTERNAL, E, 8, 1, 0, 0),
                  spec("foo", ASX_LINK_EXTERNAL, E, 9, 0, 0, 0),
                  spec("caller", ASX_LINK_EXTERNAL, E, 10, 1, 2, 0),
                  spec("f", ASX_LINK_EXTERNAL, E, 11, 1, 5, 0),
                  spec("g", ASX_LINK_EXTERNAL, E, 11, 1, 4, 0),
                  spec("s", ASX_LINK_EXTERNAL, G, 12, 0, 0, 0),
                  spec("s2", ASX_LINK_EXTERNAL, G, 12, 0, 0, 0)};
  add_tu(&p, "a.c", a, 8, NULL, 0);
  /* b.c: the same by other names, foo declared (extern 0 = index 7). */
  fn_spec b[7] = {spec("mix", ASX_LINK_INTERNAL, E, 7, 0, 0, 0),
                  spec("hash2", ASX_LINK_EXTERNAL, E, 8, 1, 0, 0),
                  spec("caller2", ASX_LINK_EXTERNAL, E, 10, 1, 7, 0),
                  spec("f2", ASX_LINK_EXTERNAL, E, 11, 1, 4, 0),
                  spec("g2", ASX_LINK_EXTERNAL, E, 11, 1, 3, 0),
                  spec("s3", ASX_LINK_EXTERNAL, G, 12, 0, 0, 0),
                  spec("mix_weak", ASX_LINK_INTERNAL, 0, 7, 0, 0, 0)};
  add_tu(&p, "b.c", b, 7, ext, 1);
  CHECK(rp_finish(&p) == 0);
  CHECK(klass_of(&p, "a.c", "mix") == klass_of(&p, "b.c", "mix"));
  CHECK(klass_of(&p, "a.c", "hash") == klass_of(&p, "b.c", "hash2"));
  CHECK(klass_of(&p, "a.c", "caller") == klass_of(&p, "b.c", "caller2"));
  /* mergefunc leaves mutually recursive pairs apart */
  CHECK(klass_of(&p, "a.c", "f") != klass_of(&p, "a.c", "g"));
  CHECK(klass_of(&p, "a.c", "f") != klass_of(&p, "b.c", "f2"));
  /* a TU's own global: equal within the TU only */
  CHECK(klass_of(&p, "a.c", "s") == klass_of(&p, "a.c", "s2"));
  CHECK(klass_of(&p, "a.c", "s") != klass_of(&p, "b.c", "s3"));
  /* one mergefunc does not admit is equal to none */
  CHECK(klass_of(&p, "b.c", "mix_weak") != klass_of(&p, "b.c", "mix"));
  rp_project_free(&p);
}

int main(void) {
  setenv("ACCELSTRAT_GPU", "sim", 1);
  identity_cases();
  static const uint64_t fixed[] = {1, 2, 3, 42};
  for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
    one_random(fixed[i]);
  const uint64_t seed = test_seed();
  for (uint64_t k = 0; k < 12; k++) one_random(seed + k);
  return test_finish("test_report");
}
