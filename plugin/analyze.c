#include "analyze.h"

#include <stdlib.h>
#include <string.h>

#include "search/search.h"

/* Report order: by file, then line, then module order. The later function of
 * a pair is the one reported, as the one that could be merged into the
 * earlier. */
static int func_cmp(const asp_func *a, uint32_t ia, const asp_func *b,
                    uint32_t ib) {
  if (a->file && b->file) {
    size_t n = a->file_len < b->file_len ? a->file_len : b->file_len;
    int c = memcmp(a->file, b->file, n);
    if (c) return c;
    if (a->file_len != b->file_len) return a->file_len < b->file_len ? -1 : 1;
  }
  if (a->line != b->line) return a->line < b->line ? -1 : 1;
  return ia < ib ? -1 : ia > ib;
}

static int pair_cmp(const void *pa, const void *pb, void *module) {
  const asp_pair *a = pa, *b = pb;
  const asp_func *fs = ((const asp_module *)module)->funcs;
  int c = func_cmp(&fs[a->f], a->f, &fs[b->f], b->f);
  return c ? c : func_cmp(&fs[a->g], a->g, &fs[b->g], b->g);
}

static asp_pair make_pair(const asp_module *mod, uint32_t x, uint32_t y) {
  asp_pair p = {.f = x, .g = y};
  if (func_cmp(&mod->funcs[x], x, &mod->funcs[y], y) < 0) {
    p.f = y;
    p.g = x;
  }
  p.total = mod->funcs[x].n_insts + mod->funcs[y].n_insts;
  return p;
}

void asp_pair_differences(const asp_pair *p, char *buf, size_t len) {
  ass_differences(p->total - 2 * p->lcs, p->consts_differ, p->callees_differ,
                  buf, len);
}

unsigned asp_pair_percent(const asp_pair *p) {
  return p->total ? (unsigned)((200ull * p->lcs) / p->total) : 100;
}

/* Whether function f takes part: long enough, and not defined in a system
 * header unless system-headers=include. */
static int analysed(const asp_func *f, const asp_options *opts) {
  return f->n_insts >= opts->min_instructions &&
         (!f->in_system_header || opts->include_system);
}

/* The representatives (the first of each identity class among the analysed
 * functions, in report order) and the identical pairs each other member
 * forms with its representative. */
static int group_identical(const asp_module *mod, const asp_options *opts,
                           uint32_t **reps_out, size_t *n_reps,
                           asp_result *res) {
  uint32_t max_class = 0;
  for (size_t i = 0; i < mod->n; i++)
    if (mod->funcs[i].klass > max_class) max_class = mod->funcs[i].klass;
  uint32_t *leader = malloc(((size_t)max_class + 1) * sizeof *leader);
  uint32_t *reps = malloc((mod->n ? mod->n : 1) * sizeof *reps);
  asp_pair *pairs = malloc((mod->n ? mod->n : 1) * sizeof *pairs);
  if (!leader || !reps || !pairs) {
    free(leader), free(reps), free(pairs);
    return AS_ENOMEM;
  }
  memset(leader, 0xff, ((size_t)max_class + 1) * sizeof *leader);
  const asp_func *fs = mod->funcs;
  for (uint32_t i = 0; i < mod->n; i++) {
    if (!analysed(&fs[i], opts)) continue;
    res->analysed++;
    uint32_t *l = &leader[fs[i].klass];
    if (*l == UINT32_MAX || func_cmp(&fs[i], i, &fs[*l], *l) < 0) *l = i;
  }
  size_t nr = 0, np = 0;
  for (uint32_t i = 0; i < mod->n; i++) {
    if (!analysed(&fs[i], opts)) continue;
    if (leader[fs[i].klass] == i) {
      reps[nr++] = i;
    } else {
      asp_pair p = make_pair(mod, i, leader[fs[i].klass]);
      p.lcs = fs[i].n_insts;
      p.identical = 1;
      pairs[np++] = p;
    }
  }
  free(leader);
  *reps_out = reps;
  *n_reps = nr;
  res->pairs = pairs;
  res->n_pairs = np;
  return 0;
}

/* The token streams of every function of mod (strict: their strict
 * tokens, NULL where not loaded), for the search (search/search.h). */
typedef struct streams {
  const uint32_t **tokens;
  uint32_t *len;
} streams;

static int streams_of(const asp_module *mod, const uint32_t *subset, size_t n,
                      int strict, streams *st) {
  st->tokens = malloc((n ? n : 1) * sizeof *st->tokens);
  st->len = malloc((n ? n : 1) * sizeof *st->len);
  if (!st->tokens || !st->len) {
    free(st->tokens), free(st->len);
    return AS_ENOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    const asp_func *f = &mod->funcs[subset ? subset[i] : i];
    st->tokens[i] = strict ? f->strict_tokens : f->tokens;
    st->len[i] = f->n_insts;
  }
  return 0;
}

static void streams_free(streams *st) {
  free(st->tokens);
  free(st->len);
}

/* Candidate pairs of representatives, each once, as (lo << 32 | hi)
 * indices into reps[]: every pair whose proven bounds reach
 * min-similarity (the filter kernel), or every pair (search=exhaustive). */
static int candidates(const ass_runner *rn, const asp_module *mod,
                      const uint32_t *reps, size_t n, const asp_options *opts,
                      uint64_t **pairs, size_t *n_pairs, asp_result *res,
                      char *err, size_t errlen) {
  streams st;
  int rc = streams_of(mod, reps, n, 0, &st);
  if (rc == 0) {
    rc = ass_candidates(rn, st.tokens, st.len, n, opts->min_similarity,
                        opts->exhaustive, pairs, n_pairs,
                        &res->batch[ASP_BATCH_FILTER], err, errlen);
    streams_free(&st);
  }
  return rc;
}

/* Pairs an align batch holds at most: its data (both streams of every
 * pair) stay bounded however many candidates a TU has. unit/analyze
 * builds this file with a tiny one, to cross the batches' boundaries. */
#ifndef ASP_ALIGN_CHUNK
#define ASP_ALIGN_CHUNK ((size_t)1 << 16)
#endif

/* LCS of each pair (f << 32 | g, indices into mod->funcs), of their tokens
 * or, with strict, of their strict tokens: align batches of at most
 * ASP_ALIGN_CHUNK pairs (one for most TUs). */
static int align_pairs(const ass_runner *rn, const asp_module *mod,
                       const uint64_t *pairs, size_t n, int strict,
                       as_report *rep, as_align_out **out, char *err,
                       size_t errlen) {
  streams st;
  int rc = streams_of(mod, NULL, mod->n, strict, &st);
  if (rc == 0) {
    rc = ass_align(rn, st.tokens, st.len, pairs, n, ASP_ALIGN_CHUNK, rep, out,
                   err, errlen);
    streams_free(&st);
  }
  return rc;
}

/* Aligns the candidates (pairs of representatives) and keeps those that
 * reach min-similarity. */
static int align(const ass_runner *rn, const asp_module *mod,
                 const uint32_t *reps, uint64_t *cand, size_t n_cand,
                 const asp_options *opts, asp_result *res, char *err,
                 size_t errlen) {
  asp_pair *pairs =
      realloc(res->pairs, (res->n_pairs + n_cand + 1) * sizeof *pairs);
  if (!pairs) return AS_ENOMEM;
  res->pairs = pairs;
  for (size_t i = 0; i < n_cand; i++)
    cand[i] = (uint64_t)reps[cand[i] >> 32] << 32 | reps[(uint32_t)cand[i]];
  as_align_out *out = NULL;
  int rc = align_pairs(rn, mod, cand, n_cand, 0, &res->batch[ASP_BATCH_ALIGN],
                       &out, err, errlen);
  for (size_t i = 0; rc == 0 && i < n_cand; i++) {
    /* the comparison the filter's bounds passed */
    if (!as_similarity_reaches(out[i].lcs, out[i].total, opts->min_similarity))
      continue;
    asp_pair p = make_pair(mod, (uint32_t)(cand[i] >> 32), (uint32_t)cand[i]);
    /* Two instantiations of one template are the same source: only their
     * being identical is news. */
    uint64_t origin = mod->funcs[p.f].template_origin;
    if (origin && origin == mod->funcs[p.g].template_origin) continue;
    p.lcs = out[i].lcs;
    res->pairs[res->n_pairs++] = p;
  }
  free(out);
  return rc;
}

/* The strict data of both functions of each near-duplicate, the only ones
 * that need them: computing them walks every instruction again. */
static int load_strict_data(asp_module *mod, const asp_result *res) {
  uint32_t *ends = malloc((2 * res->n_pairs + 1) * sizeof *ends);
  if (!ends) return AS_ENOMEM;
  size_t n = 0;
  for (size_t i = 0; i < res->n_pairs; i++) {
    if (res->pairs[i].identical) continue;
    ends[n++] = res->pairs[i].f;
    ends[n++] = res->pairs[i].g;
  }
  int rc = asp_module_load_strict(mod, ends, n) < 0 ? AS_ENOMEM : 0;
  free(ends);
  return rc;
}

/* What differs in each near-duplicate: the similarity in which constant
 * values and callees count (an align batch of strict tokens), and how many
 * constants and callees differ. */
static int describe_differences(const ass_runner *rn, asp_module *mod,
                                asp_result *res, char *err, size_t errlen) {
  int rc = load_strict_data(mod, res);
  if (rc < 0) return rc;
  uint64_t *near = malloc((res->n_pairs ? res->n_pairs : 1) * sizeof *near);
  if (!near) return AS_ENOMEM;
  size_t n = 0;
  for (size_t i = 0; i < res->n_pairs; i++) {
    asp_pair *p = &res->pairs[i];
    p->strict_lcs = p->lcs;
    if (p->identical) continue;
    near[n++] = (uint64_t)p->f << 32 | p->g;
    asp_func_differences(&mod->funcs[p->f], &mod->funcs[p->g],
                         &p->consts_differ, &p->callees_differ);
  }
  as_align_out *out = NULL;
  rc = align_pairs(rn, mod, near, n, 1, &res->batch[ASP_BATCH_STRICT], &out,
                   err, errlen);
  for (size_t i = 0, k = 0; rc == 0 && i < res->n_pairs; i++)
    if (!res->pairs[i].identical) res->pairs[i].strict_lcs = out[k++].lcs;
  free(out);
  free(near);
  return rc;
}

int asp_analyze(asp_module *mod, const asp_options *opts, as_executor *ex,
                asp_batch_fn before_run, void *ctx, asp_result *res, char *err,
                size_t errlen) {
  memset(res, 0, sizeof *res);
  const ass_runner rn = {ex, before_run, ctx, NULL};
  uint32_t *reps = NULL;
  size_t n_reps = 0, n_cand = 0;
  uint64_t *cand = NULL;
  int rc = group_identical(mod, opts, &reps, &n_reps, res);
  if (rc == 0)
    rc = candidates(&rn, mod, reps, n_reps, opts, &cand, &n_cand, res, err,
                    errlen);
  res->candidates = n_cand;
  if (rc == 0) rc = align(&rn, mod, reps, cand, n_cand, opts, res, err, errlen);
  if (rc == 0) rc = describe_differences(&rn, mod, res, err, errlen);
  if (rc == AS_ENOMEM) snprintf(err, errlen, "%s", as_strerror(rc));
  if (rc == 0)
    qsort_r(res->pairs, res->n_pairs, sizeof *res->pairs, pair_cmp,
            (void *)mod);
  free(reps);
  free(cand);
  return rc;
}

void asp_result_free(asp_result *res) {
  free(res->pairs);
  memset(res, 0, sizeof *res);
}
