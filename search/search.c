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
  if (rc < 0)
    snprintf(err, errlen, "%s batch (%zu tasks): %s; %s", b->kernel->name, b->n,
             as_strerror(rc), rep->reason);
  return rc;
}

/* The filter batch over the streams: its tasks, output bits and the order
 * (by length) its indices are in. */
typedef struct filter_run {
  uint32_t *order;
  as_filter_task *tasks;
  size_t n_tasks;
  as_filter_out *out;
} filter_run;

static int run_filter(const ass_runner *rn, const uint32_t *const *tokens,
                      const uint32_t *len, size_t n, double min_similarity,
                      filter_run *fr, as_report *rep, char *err,
                      size_t errlen) {
  fr->order = malloc((n ? n : 1) * sizeof *fr->order);
  as_filter_shared *shared = NULL;
  uint64_t *offsets = NULL;
  size_t shared_size = 0;
  int rc = fr->order ? 0 : AS_ENOMEM;
  if (rc == 0)
    rc = as_filter_build_any_order(tokens, len, n, min_similarity, fr->order,
                                   &shared, &shared_size);
  if (rc == 0) rc = as_filter_tasks(shared, &fr->tasks, &fr->n_tasks);
  if (rc == 0) {
    offsets = malloc((fr->n_tasks + 1) * sizeof *offsets);
    fr->out = malloc((fr->n_tasks ? fr->n_tasks : 1) * sizeof *fr->out);
    if (!offsets || !fr->out) rc = AS_ENOMEM;
  }
  if (rc == 0) {
    for (size_t t = 0; t <= fr->n_tasks; t++)
      offsets[t] = t * sizeof *fr->tasks;
    as_batch b = {.kernel = &as_kernel_filter,
                  .n = fr->n_tasks,
                  .data = fr->tasks,
                  .offsets = offsets,
                  .shared = shared,
                  .shared_size = shared_size,
                  .out = fr->out};
    rc = run_batch(rn, &b, rep, err, errlen);
  }
  free(shared);
  free(offsets);
  return rc;
}

/* Every pair, for search=exhaustive. */
static int every_pair(size_t n, uint64_t **pairs_out, size_t *n_pairs) {
  size_t count = n * (n ? n - 1 : 0) / 2, at = 0;
  uint64_t *pairs = malloc((count ? count : 1) * sizeof *pairs);
  if (!pairs) return AS_ENOMEM;
  for (uint64_t i = 0; i < n; i++)
    for (uint64_t j = i + 1; j < n; j++) pairs[at++] = i << 32 | j;
  *pairs_out = pairs;
  *n_pairs = count;
  return 0;
}

int ass_candidates(const ass_runner *rn, const uint32_t *const *tokens,
                   const uint32_t *len, size_t n, double min_similarity,
                   int exhaustive, uint64_t **pairs_out, size_t *n_pairs,
                   as_report *rep, char *err, size_t errlen) {
  *pairs_out = NULL;
  *n_pairs = 0;
  if (exhaustive) return every_pair(n, pairs_out, n_pairs);
  filter_run fr = {0};
  uint64_t *pairs = NULL;
  size_t kept = 0, np = 0;
  int rc =
      run_filter(rn, tokens, len, n, min_similarity, &fr, rep, err, errlen);
  for (size_t t = 0; rc == 0 && t < fr.n_tasks; t++)
    for (int w = 0; w < AS_FILTER_WORDS; w++)
      kept += (size_t)__builtin_popcountll(fr.out[t].bits[w]);
  if (rc == 0 && !(pairs = malloc((kept ? kept : 1) * sizeof *pairs)))
    rc = AS_ENOMEM;
  for (size_t t = 0; rc == 0 && t < fr.n_tasks; t++)
    for (int w = 0; w < AS_FILTER_WORDS; w++)
      for (uint64_t bits = fr.out[t].bits[w]; bits; bits &= bits - 1) {
        size_t j = (size_t)fr.tasks[t].block * AS_FILTER_BLOCK + 64u * w +
                   (size_t)__builtin_ctzll(bits);
        uint64_t a = fr.order[fr.tasks[t].query], b = fr.order[j];
        pairs[np++] = a < b ? a << 32 | b : b << 32 | a;
      }
  free(fr.order);
  free(fr.tasks);
  free(fr.out);
  *pairs_out = pairs;
  *n_pairs = np;
  return rc;
}

int ass_align(const ass_runner *rn, const uint32_t *const *tokens,
              const uint32_t *len, const uint64_t *pairs, size_t n,
              as_report *rep, as_align_out **out_p, char *err, size_t errlen) {
  uint64_t *offsets = malloc((n + 1) * sizeof *offsets);
  as_align_out *out = malloc((n ? n : 1) * sizeof *out);
  size_t bytes = 0;
  for (size_t i = 0; i < n; i++)
    bytes += sizeof(as_align_task) +
             ((size_t)len[pairs[i] >> 32] + len[(uint32_t)pairs[i]]) *
                 sizeof(uint32_t);
  char *data = malloc(bytes ? bytes : 1);
  if (!offsets || !out || !data) {
    free(offsets), free(out), free(data);
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
