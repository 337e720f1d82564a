/* Groups of identical and near-duplicate functions (findings.h). */
#include "findings.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search/search.h"

int rp_fn_cmp(const rp_project *p, uint32_t a, uint32_t b) {
  const asx_func *x = p->fns[a].f, *y = p->fns[b].f;
  int c = strcmp(x->file, y->file);
  if (c) return c;
  if (x->line != y->line) return x->line < y->line ? -1 : 1;
  if (x->col != y->col) return x->col < y->col ? -1 : 1;
  c = strcmp(x->symbol, y->symbol);
  return c ? c : (a > b) - (a < b);
}

unsigned rp_percent(uint32_t lcs, uint32_t total) {
  return total ? (unsigned)((200ull * lcs) / total) : 100;
}

static int by_report_order(const void *a, const void *b, void *p) {
  return rp_fn_cmp(p, *(const uint32_t *)a, *(const uint32_t *)b);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* The sorted identities of fn's callees (their classes). */
static uint64_t *callee_set(const rp_project *p, const rp_fn *fn) {
  uint64_t *v = malloc((fn->f->n_callees + 1) * sizeof *v);
  if (!v) return NULL;
  for (uint32_t c = 0; c < fn->f->n_callees; c++) {
    uint32_t k = fn->callees[c];
    v[c] = k & RP_EXTERN ? k : p->fns[k].klass;
  }
  qsort(v, fn->f->n_callees, sizeof *v, cmp_u64);
  return v;
}

/* m against the group's first: what differs besides the instructions. */
static int describe(const rp_project *p, uint32_t first, rp_member *m) {
  const rp_fn *a = &p->fns[first], *b = &p->fns[m->fn];
  m->consts_differ = ass_multiset_difference(a->f->consts, a->f->n_consts,
                                             b->f->consts, b->f->n_consts);
  uint64_t *ca = callee_set(p, a), *cb = callee_set(p, b);
  if (!ca || !cb) {
    free(ca), free(cb);
    return -1;
  }
  m->callees_differ =
      ass_multiset_difference(ca, a->f->n_callees, cb, b->f->n_callees);
  free(ca), free(cb);
  return 0;
}

static int analysed(const rp_fn *fn, const rp_settings *s) {
  for (size_t i = 0; i < s->n_exclude; i++)
    if (fnmatch(s->exclude[i], fn->f->file, 0) == 0) return 0;
  return fn->f->n_insts >= s->min_instructions &&
         (!(fn->f->flags & ASX_F_SYSTEM) || s->include_system);
}

static int add_group(rp_findings *out, size_t *cap, rp_group g) {
  if (out->n_groups == *cap) {
    size_t c = *cap ? 2 * *cap : 16;
    rp_group *grown = realloc(out->groups, c * sizeof *grown);
    if (!grown) return -1;
    out->groups = grown;
    *cap = c;
  }
  out->groups[out->n_groups++] = g;
  return 0;
}

/* The analysed functions in report order; reps[] the first of each class;
 * a group for each class of two or more. */
static int identical_groups(const rp_project *p, const rp_settings *s,
                            uint32_t *order, size_t n, uint32_t *reps,
                            size_t *n_reps, rp_findings *out, size_t *cap) {
  uint32_t *leader = malloc((p->n_fns ? p->n_fns : 1) * sizeof *leader);
  size_t *count = calloc(p->n_fns ? p->n_fns : 1, sizeof *count);
  if (!leader || !count) {
    free(leader), free(count);
    return -1;
  }
  memset(leader, 0xff, (p->n_fns ? p->n_fns : 1) * sizeof *leader);
  *n_reps = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t k = p->fns[order[i]].klass;
    if (leader[k] == UINT32_MAX)
      leader[k] = order[i], reps[(*n_reps)++] = order[i];
    count[k]++;
  }
  int rc = 0;
  for (size_t r = 0; r < *n_reps && rc == 0; r++) {
    const uint32_t k = p->fns[reps[r]].klass;
    if (count[k] < 2) continue;
    rp_group g = {1, calloc(count[k], sizeof(rp_member)), 0, 0};
    if (!g.members) rc = -1;
    for (size_t i = 0; rc == 0 && i < n; i++)
      if (p->fns[order[i]].klass == k) {
        const uint32_t len = p->fns[order[i]].f->n_insts;
        g.members[g.n++] = (rp_member){order[i], len, 2 * len, 0, 0};
      }
    if (rc == 0) {
      g.saving = (uint64_t)(g.n - 1) * p->fns[reps[r]].f->n_insts;
      rc = add_group(out, cap, g);
    }
  }
  (void)s;
  free(leader), free(count);
  return rc;
}

/* The search in bounded memory: filter batches of at most RP_FILTER_TASKS
 * tasks, their candidates aligned RP_ALIGN_CHUNK pairs a batch (both
 * streams of every pair are the batch's data), only the pairs that reach
 * the threshold kept: memory follows the records and the pairs found, never
 * the candidates. */
enum { RP_FILTER_TASKS = 1 << 20, RP_ALIGN_CHUNK = 1 << 16 };

typedef struct aligner {
  const ass_runner *rn;
  const rp_settings *s;
  const rp_watch *watch;
  const uint32_t *const *tokens;
  const uint32_t *len;
  uint64_t *buf; /* candidates not aligned yet, chunk at most */
  size_t n_buf, chunk, cap_pairs;
  ass_report_sum sum; /* of the align batches, into out->batch[1] */
  rp_findings *out;
} aligner;

static int align_buffer(aligner *a, char *err, size_t errlen) {
  rp_findings *out = a->out;
  as_align_out *lcs = NULL;
  as_report one; /* a->chunk pairs at most: one batch */
  int rc = ass_align(a->rn, a->tokens, a->len, a->buf, a->n_buf, a->chunk, &one,
                     &lcs, err, errlen);
  ass_report_sum_add(&a->sum, &one);
  out->align_batches++;
  for (size_t i = 0; rc == 0 && i < a->n_buf; i++) {
    if (!as_similarity_reaches(lcs[i].lcs, lcs[i].total, a->s->min_similarity))
      continue;
    if (out->n_pairs == a->cap_pairs) {
      size_t cap = a->cap_pairs ? 2 * a->cap_pairs : 1024;
      rp_pair *grown = realloc(out->pairs, cap * sizeof *grown);
      if (!grown) {
        snprintf(err, errlen, "%s", as_strerror(AS_ENOMEM));
        rc = AS_ENOMEM;
        break;
      }
      out->pairs = grown, a->cap_pairs = cap;
    }
    out->pairs[out->n_pairs++] =
        (rp_pair){(uint32_t)(a->buf[i] >> 32), (uint32_t)a->buf[i], lcs[i].lcs,
                  lcs[i].total};
  }
  free(lcs);
  a->n_buf = 0;
  /* tasks: every pair aligned so far (an align batch's tasks are its pairs) */
  if (rc == 0 && a->watch && a->watch->aligned)
    a->watch->aligned(a->watch->ctx, out->batch[1].tasks, out->candidates);
  return rc;
}

static int take(void *ctx, const uint64_t *pairs, size_t n, size_t done,
                size_t total, char *err, size_t errlen) {
  aligner *a = ctx;
  a->out->candidates += n;
  int rc = 0;
  while (rc == 0 && n) {
    size_t k = a->chunk - a->n_buf < n ? a->chunk - a->n_buf : n;
    memcpy(a->buf + a->n_buf, pairs, k * sizeof *pairs);
    a->n_buf += k, pairs += k, n -= k;
    if (a->n_buf == a->chunk) rc = align_buffer(a, err, errlen);
  }
  if (rc == 0 && a->watch && a->watch->progress)
    a->watch->progress(a->watch->ctx, done, total);
  return rc;
}

/* Every pair of representatives at or above the threshold, in report
 * order (reps are). */
static int near_pairs(const rp_project *p, const rp_settings *s,
                      as_executor *ex, const rp_watch *watch,
                      const uint32_t *reps, size_t n, rp_findings *out,
                      char *err, size_t errlen) {
  const uint32_t **tokens = malloc((n ? n : 1) * sizeof *tokens);
  uint32_t *len = malloc((n ? n : 1) * sizeof *len);
  const size_t chunk =
      s->align_batch_pairs ? s->align_batch_pairs : RP_ALIGN_CHUNK;
  uint64_t *buf = malloc(chunk * sizeof *buf);
  int rc = tokens && len && buf ? 0 : AS_ENOMEM;
  for (size_t i = 0; rc == 0 && i < n; i++) {
    tokens[i] = p->fns[reps[i]].f->tokens;
    len[i] = p->fns[reps[i]].f->n_insts;
  }
  const ass_runner rn = {ex, NULL, watch ? watch->ctx : NULL,
                         watch ? watch->batch : NULL};
  aligner a = {&rn, s, watch, tokens, len,
               buf, 0, chunk, 0,      {&out->batch[1], 0, {0}},
               out};
  if (rc == 0)
    rc = ass_candidates_each(
        &rn, tokens, len, n, s->min_similarity, s->exhaustive,
        s->filter_batch_tasks ? s->filter_batch_tasks : RP_FILTER_TASKS, take,
        &a, &out->batch[0], &out->filter_batches, err, errlen);
  if (rc == 0 && a.n_buf) rc = align_buffer(&a, err, errlen);
  ass_report_sum_end(&a.sum);
  free(tokens), free(len), free(buf);
  return rc;
}

static int by_pair(const void *x, const void *y) {
  const rp_pair *a = x, *b = y;
  if (a->a != b->a) return a->a < b->a ? -1 : 1;
  return (a->b > b->b) - (a->b < b->b);
}

/* Near-duplicate groups: in report order, a representative not yet in a
 * group is the first of one with every later one of its pairs not yet in
 * one. Pairs (indices into reps) are sorted by (a, b). */
static int near_groups(const rp_project *p, const uint32_t *reps, size_t n,
                       rp_findings *out, size_t *cap) {
  if (out->n_pairs) /* pairs is NULL without any */
    qsort(out->pairs, out->n_pairs, sizeof *out->pairs, by_pair);
  unsigned char *taken = calloc(n ? n : 1, 1);
  if (!taken) return -1;
  int rc = 0;
  for (size_t i = 0, at = 0; i < out->n_pairs && rc == 0; i = at) {
    const uint32_t a = out->pairs[i].a;
    for (at = i; at < out->n_pairs && out->pairs[at].a == a;) at++;
    if (taken[a]) continue;
    rp_group g = {0, calloc(at - i + 1, sizeof(rp_member)), 0, 0};
    if (!g.members) rc = -1;
    const uint32_t len = rc ? 0 : p->fns[reps[a]].f->n_insts;
    if (rc == 0) g.members[g.n++] = (rp_member){reps[a], len, 2 * len, 0, 0};
    for (size_t k = i; rc == 0 && k < at; k++) {
      const rp_pair *q = &out->pairs[k];
      if (taken[q->b]) continue;
      taken[q->b] = 1;
      rp_member m = {reps[q->b], q->lcs, q->total, 0, 0};
      if (describe(p, reps[a], &m) < 0) rc = -1;
      g.members[g.n++] = m;
      g.saving += q->lcs;
    }
    if (rc == 0 && g.n < 2) {
      free(g.members);
      continue;
    }
    taken[a] = 1;
    if (rc == 0) rc = add_group(out, cap, g);
  }
  /* The pairs as the outputs show them: functions, not representatives. */
  for (size_t i = 0; i < out->n_pairs; i++)
    out->pairs[i].a = reps[out->pairs[i].a],
    out->pairs[i].b = reps[out->pairs[i].b];
  free(taken);
  return rc;
}

static int by_saving(const void *x, const void *y, void *p) {
  const rp_group *a = x, *b = y;
  if (a->saving != b->saving) return a->saving > b->saving ? -1 : 1;
  return rp_fn_cmp(p, a->members[0].fn, b->members[0].fn);
}

int rp_find(const rp_project *p, const rp_settings *s, as_executor *ex,
            const rp_watch *watch, rp_findings *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  uint32_t *order = malloc((p->n_fns ? p->n_fns : 1) * sizeof *order);
  uint32_t *reps = malloc((p->n_fns ? p->n_fns : 1) * sizeof *reps);
  size_t n = 0, n_reps = 0, cap = 0;
  int rc = order && reps ? 0 : AS_ENOMEM;
  for (size_t i = 0; rc == 0 && i < p->n_fns; i++)
    if (analysed(&p->fns[i], s)) order[n++] = (uint32_t)i;
  qsort_r(order, n, sizeof *order, by_report_order, (void *)p);
  out->analysed = n;
  if (rc == 0 && identical_groups(p, s, order, n, reps, &n_reps, out, &cap) < 0)
    rc = AS_ENOMEM;
  out->representatives = n_reps;
  if (rc == 0) rc = near_pairs(p, s, ex, watch, reps, n_reps, out, err, errlen);
  if (rc == 0 && near_groups(p, reps, n_reps, out, &cap) < 0) rc = AS_ENOMEM;
  if (rc == 0 && out->n_groups)
    qsort_r(out->groups, out->n_groups, sizeof *out->groups, by_saving,
            (void *)p);
  if (rc == AS_ENOMEM) snprintf(err, errlen, "%s", as_strerror(rc));
  free(order), free(reps);
  return rc;
}

void rp_findings_free(rp_findings *f) {
  for (size_t i = 0; i < f->n_groups; i++) free(f->groups[i].members);
  free(f->groups);
  free(f->pairs);
  memset(f, 0, sizeof *f);
}
