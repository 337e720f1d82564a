/* The exact search over token streams (search.h): what analyze.c and
 * accelstrat-report share. */
#include "search/search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run_batch(const ass_runner *rn, const as_batch *b, as_report *rep,
                     char *err, size_t errlen) {
  if (rn->before_run) rn->before_run(rn->ctx, b);
  int rc = as_run(rn->ex, b, rep);
  if (rn->after_run) rn->after_run(rn->ctx, b, rep);
  if (rc < 0) /* the reason says the cause, when it has one */
    snprintf(err, errlen, "%s batch (%zu tasks): %s", b->kernel->name, b->n,
             rep->reason[0] ? rep->reason : as_strerror(rc));
  return rc;
}

void ass_report_sum_add(ass_report_sum *sum, const as_report *r) {
  as_report *s = sum->rep;
  if (r->chosen.kind <= AS_STRATEGY_HYBRID_STATIC) sum->chose[r->chosen.kind]++;
  if (sum->batches++ == 0) {
    *s = *r;
    return;
  }
  s->tasks += r->tasks;
  s->work += r->work;
  s->select_ns += r->select_ns;
  s->check_ns += r->check_ns;
  s->exec_ns += r->exec_ns;
  for (int d = 0; d < AS_DEVICE_COUNT; d++) s->tasks_on[d] += r->tasks_on[d];
  for (int p = 0; p < AS_PREDICT_COUNT; p++)
    s->predicted_ns[p] += r->predicted_ns[p];
  for (unsigned e = 0; e < r->n_events; e++) {
    if (s->n_events < AS_MAX_EVENTS)
      s->events[s->n_events++] = r->events[e];
    else
      s->events_dropped++;
  }
  s->events_dropped += r->events_dropped;
  if (r->threads > s->threads) s->threads = r->threads;
  if (r->thread_limit > s->thread_limit) s->thread_limit = r->thread_limit;
  if (!s->error) s->error = r->error;
}

void ass_report_sum_end(ass_report_sum *sum) {
  if (sum->batches < 2) return;
  char *buf = sum->rep->reason;
  size_t at = strlen(buf), kinds = 0;
  for (int k = 0; k <= AS_STRATEGY_HYBRID_STATIC; k++) kinds += !!sum->chose[k];
  at += (size_t)snprintf(buf + at, sizeof sum->rep->reason - at,
                         "; %zu batches", sum->batches);
  for (int k = 0; kinds > 1 && k <= AS_STRATEGY_HYBRID_STATIC; k++)
    if (sum->chose[k] && at < sizeof sum->rep->reason)
      at += (size_t)snprintf(buf + at, sizeof sum->rep->reason - at, ", %zu %s",
                             sum->chose[k],
                             as_strategy_kind_name((as_strategy_kind)k));
}

/* The filter's shared block over the streams and the order (by length) its
 * indices are in. */
typedef struct filter_index {
  uint32_t *order;
  as_filter_shared *shared;
  size_t shared_size;
} filter_index;

/* One filter batch: queries [begin, end)'s tasks; their candidates
 * (a << 32 | b, a < b, in the streams' indices) in *pairs, malloc'ed. */
static int filter_batch(const ass_runner *rn, const filter_index *fx,
                        uint32_t begin, uint32_t end, uint64_t **pairs_out,
                        size_t *n_pairs, as_report *rep, char *err,
                        size_t errlen) {
  as_filter_task *tasks = NULL;
  size_t n_tasks = 0, kept = 0, np = 0;
  uint64_t *offsets = NULL, *pairs = NULL;
  as_filter_out *out = NULL;
  int rc = as_filter_tasks_of(fx->shared, begin, end, &tasks, &n_tasks);
  if (rc == 0) {
    offsets = malloc((n_tasks + 1) * sizeof *offsets);
    out = malloc((n_tasks ? n_tasks : 1) * sizeof *out);
    if (!offsets || !out) rc = AS_ENOMEM;
  }
  if (rc == 0) {
    for (size_t t = 0; t <= n_tasks; t++) offsets[t] = t * sizeof *tasks;
    as_batch b = {.kernel = &as_kernel_filter,
                  .n = n_tasks,
                  .data = tasks,
                  .offsets = offsets,
                  .shared = fx->shared,
                  .shared_size = fx->shared_size,
                  .out = out};
    rc = run_batch(rn, &b, rep, err, errlen);
  }
  for (size_t t = 0; rc == 0 && t < n_tasks; t++)
    for (int w = 0; w < AS_FILTER_WORDS; w++)
      kept += (size_t)__builtin_popcountll(out[t].bits[w]);
  if (rc == 0 && !(pairs = malloc((kept ? kept : 1) * sizeof *pairs)))
    rc = AS_ENOMEM;
  for (size_t t = 0; rc == 0 && t < n_tasks; t++)
    for (int w = 0; w < AS_FILTER_WORDS; w++)
      for (uint64_t bits = out[t].bits[w]; bits; bits &= bits - 1) {
        size_t j = (size_t)tasks[t].block * AS_FILTER_BLOCK + 64u * w +
                   (size_t)__builtin_ctzll(bits);
        uint64_t a = fx->order[tasks[t].query], b = fx->order[j];
        pairs[np++] = a < b ? a << 32 | b : b << 32 | a;
      }
  free(tasks), free(offsets), free(out);
  *pairs_out = pairs;
  *n_pairs = rc == 0 ? np : 0;
  return rc;
}

/* Every pair, for search=exhaustive: rows of the triangle, at most
 * max_pairs pairs (and at least one row) a chunk. */
static int every_pair(size_t n, size_t max_pairs, ass_pairs_fn fn, void *ctx,
                      char *err, size_t errlen) {
  const size_t total = n * (n ? n - 1 : 0) / 2;
  size_t cap = max_pairs < total ? max_pairs : total;
  if (cap < n) cap = n; /* a row at least */
  uint64_t *pairs = malloc((cap ? cap : 1) * sizeof *pairs);
  if (!pairs) return AS_ENOMEM;
  size_t at = 0;
  int rc = 0;
  for (uint64_t i = 0; rc == 0 && i < n; i++) {
    if (at + (n - 1 - i) > cap) {
      rc = fn(ctx, pairs, at, i, n, err, errlen);
      at = 0;
    }
    for (uint64_t j = i + 1; rc == 0 && j < n; j++) pairs[at++] = i << 32 | j;
  }
  if (rc == 0 && at) rc = fn(ctx, pairs, at, n, n, err, errlen);
  free(pairs);
  return rc;
}

int ass_candidates_each(const ass_runner *rn, const uint32_t *const *tokens,
                        const uint32_t *len, size_t n, double min_similarity,
                        int exhaustive, size_t max_tasks, ass_pairs_fn fn,
                        void *ctx, as_report *rep, size_t *batches, char *err,
                        size_t errlen) {
  *batches = 0;
  if (exhaustive) return every_pair(n, max_tasks, fn, ctx, err, errlen);
  filter_index fx = {malloc((n ? n : 1) * sizeof *fx.order), NULL, 0};
  int rc = fx.order ? 0 : AS_ENOMEM;
  if (rc == 0)
    rc = as_filter_build_any_order(tokens, len, n, min_similarity, fx.order,
                                   &fx.shared, &fx.shared_size);
  ass_report_sum sum = {rep, 0, {0}};
  as_report one;
  /* Consecutive queries up to max_tasks tasks a batch; one batch (of no
   * tasks) when there are none, so that the report says how it ran. */
  for (uint32_t begin = 0; rc == 0 && (begin < n || *batches == 0);) {
    uint32_t end = begin;
    size_t count = 0;
    while (end < n) {
      size_t more = as_filter_query_tasks(fx.shared, end);
      if (end > begin && count + more > max_tasks) break;
      count += more;
      end++;
    }
    uint64_t *pairs = NULL;
    size_t np = 0;
    rc = filter_batch(rn, &fx, begin, end, &pairs, &np, &one, err, errlen);
    ass_report_sum_add(&sum, &one);
    ++*batches;
    if (rc == 0) rc = fn(ctx, pairs, np, end, n, err, errlen);
    free(pairs);
    begin = end;
  }
  ass_report_sum_end(&sum);
  free(fx.order);
  free(fx.shared);
  return rc;
}

/* ass_candidates' collector: every chunk appended. */
typedef struct collect {
  uint64_t *pairs;
  size_t n, cap;
} collect;

static int append(void *ctx, const uint64_t *pairs, size_t n, size_t done,
                  size_t total, char *err, size_t errlen) {
  collect *c = ctx;
  (void)done, (void)total;
  if (n == 0) return 0; /* pairs may be NULL */
  if (c->n + n > c->cap) {
    size_t cap = c->cap ? c->cap : 1;
    while (cap < c->n + n) cap *= 2;
    uint64_t *grown = realloc(c->pairs, cap * sizeof *grown);
    if (!grown) {
      snprintf(err, errlen, "%s", as_strerror(AS_ENOMEM));
      return AS_ENOMEM;
    }
    c->pairs = grown, c->cap = cap;
  }
  memcpy(c->pairs + c->n, pairs, n * sizeof *pairs);
  c->n += n;
  return 0;
}

int ass_candidates(const ass_runner *rn, const uint32_t *const *tokens,
                   const uint32_t *len, size_t n, double min_similarity,
                   int exhaustive, uint64_t **pairs_out, size_t *n_pairs,
                   as_report *rep, char *err, size_t errlen) {
  collect c = {0};
  size_t batches = 0;
  int rc =
      ass_candidates_each(rn, tokens, len, n, min_similarity, exhaustive,
                          SIZE_MAX, append, &c, rep, &batches, err, errlen);
  if (rc == 0 && !c.pairs && !(c.pairs = malloc(sizeof *c.pairs)))
    rc = AS_ENOMEM;
  if (rc < 0) free(c.pairs), c.pairs = NULL, c.n = 0;
  *pairs_out = c.pairs;
  *n_pairs = c.n;
  return rc;
}

/* One align batch of the n pairs, its LCS into out[0, n). */
static int align_batch(const ass_runner *rn, const uint32_t *const *tokens,
                       const uint32_t *len, const uint64_t *pairs, size_t n,
                       as_report *rep, as_align_out *out, char *err,
                       size_t errlen) {
  uint64_t *offsets = malloc((n + 1) * sizeof *offsets);
  size_t bytes = 0;
  for (size_t i = 0; i < n; i++)
    bytes += sizeof(as_align_task) +
             ((size_t)len[pairs[i] >> 32] + len[(uint32_t)pairs[i]]) *
                 sizeof(uint32_t);
  char *data = malloc(bytes ? bytes : 1);
  if (!offsets || !data) {
    free(offsets), free(data);
    return AS_ENOMEM;
  }
  size_t at = 0;
  for (size_t i = 0; i < n; i++) {
    const uint32_t a = (uint32_t)(pairs[i] >> 32), b = (uint32_t)pairs[i];
    as_align_task hdr = {len[a], len[b]};
    offsets[i] = at;
    memcpy(data + at, &hdr, sizeof hdr);
    at += sizeof hdr;
    memcpy(data + at, tokens[a], len[a] * sizeof(uint32_t));
    at += len[a] * sizeof(uint32_t);
    memcpy(data + at, tokens[b], len[b] * sizeof(uint32_t));
    at += len[b] * sizeof(uint32_t);
  }
  offsets[n] = at;
  as_batch batch = {.kernel = &as_kernel_align,
                    .n = n,
                    .data = data,
                    .offsets = offsets,
                    .out = out};
  int rc = run_batch(rn, &batch, rep, err, errlen);
  free(offsets);
  free(data);
  return rc;
}

int ass_align(const ass_runner *rn, const uint32_t *const *tokens,
              const uint32_t *len, const uint64_t *pairs, size_t n,
              size_t max_pairs, as_report *rep, as_align_out **out_p, char *err,
              size_t errlen) {
  as_align_out *out = malloc((n ? n : 1) * sizeof *out);
  if (!out) return AS_ENOMEM;
  const size_t step = max_pairs && max_pairs < n ? max_pairs : n;
  ass_report_sum sum = {rep, 0, {0}};
  as_report one;
  int rc = 0;
  /* One batch at least, so that the report says how an empty one ran. */
  for (size_t at = 0; rc == 0 && (at < n || at == 0); at += step) {
    const size_t k = n - at < step ? n - at : step;
    rc = align_batch(rn, tokens, len, pairs + at, k, &one, out + at, err,
                     errlen);
    ass_report_sum_add(&sum, &one);
    if (step == 0) break;
  }
  ass_report_sum_end(&sum);
  if (rc < 0)
    free(out);
  else
    *out_p = out;
  return rc;
}

void ass_differences(unsigned instructions, unsigned consts, unsigned callees,
                     char *buf, size_t len) {
  const unsigned count[3] = {instructions, consts, callees};
  const char *const name[3] = {"instruction", "constant", "callee"};
  unsigned present = 0;
  for (int k = 0; k < 3; k++) present += count[k] != 0;
  if (!present) {
    snprintf(buf, len,
             "same instructions, constants and callees; "
             "not merged by mergefunc");
    return;
  }
  char part[3][40];
  unsigned n = 0;
  for (int k = 0; k < 3; k++)
    if (count[k])
      snprintf(part[n++], sizeof part[0], "%u %s%s", count[k], name[k],
               count[k] == 1 ? "" : "s");
  if (n == 1)
    snprintf(buf, len, "differs in %s", part[0]);
  else if (n == 2)
    snprintf(buf, len, "differs in %s and %s", part[0], part[1]);
  else
    snprintf(buf, len, "differs in %s, %s and %s", part[0], part[1], part[2]);
}
