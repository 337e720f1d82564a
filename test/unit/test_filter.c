/* The filter kernel against plain references on fresh random and mutated
 * token streams: its bits are exactly the pairs whose length and overlap
 * bounds reach the threshold (however the prefix index is laid out), every
 * pair whose aligned similarity reaches it is among them, outputs are the
 * same for every thread count, and damaged blocks and tasks are refused. */
#include <stdlib.h>
#include <string.h>

#include <accelstrat/accelstrat.h>

#include "filter.h"
#include "test_streams.h"
#include "test_util.h"

/* sum over tokens of min(count in a, count in b), by counting each token
 * of a in both streams: quadratic, and independent of the histograms. */
static uint32_t ref_overlap(const uint32_t *a, uint32_t m, const uint32_t *b,
                            uint32_t n) {
  uint32_t overlap = 0;
  for (uint32_t i = 0; i < m; i++) {
    int first = 1;
    for (uint32_t k = 0; k < i; k++) first &= a[k] != a[i];
    if (!first) continue;
    uint32_t ca = 0, cb = 0;
    for (uint32_t k = 0; k < m; k++) ca += a[k] == a[i];
    for (uint32_t k = 0; k < n; k++) cb += b[k] == a[i];
    overlap += ca < cb ? ca : cb;
  }
  return overlap;
}

typedef struct search {
  as_filter_shared *shared;
  size_t size, n_tasks;
  as_filter_task *tasks;
  uint64_t *offsets;
  as_filter_out *out;
} search;

static as_batch search_batch(search *q) {
  return (as_batch){&as_kernel_filter, q->n_tasks, q->tasks, q->offsets,
                    q->shared,         q->size,    q->out};
}

static int search_init(search *q, streams *s, double threshold) {
  memset(q, 0, sizeof *q);
  streams_sort_by_length(s);
  int rc = as_filter_build((const uint32_t *const *)s->tok, s->len, s->n,
                           threshold, &q->shared, &q->size);
  if (rc < 0) return rc;
  CHECK_INT_EQ(as_filter_tasks(q->shared, &q->tasks, &q->n_tasks), 0);
  q->offsets = malloc((q->n_tasks + 1) * sizeof *q->offsets);
  q->out = malloc((q->n_tasks ? q->n_tasks : 1) * sizeof *q->out);
  for (size_t t = 0; t <= q->n_tasks; t++)
    q->offsets[t] = t * sizeof(as_filter_task);
  return 0;
}

static void search_free(search *q) {
  free(q->shared), free(q->tasks), free(q->offsets), free(q->out);
}

static int pair_bit(const search *q, uint32_t i, uint32_t j) {
  for (size_t t = 0; t < q->n_tasks; t++) {
    as_filter_task k = q->tasks[t];
    if (k.query != i || j / AS_FILTER_BLOCK != k.block) continue;
    uint32_t o = j % AS_FILTER_BLOCK;
    return (int)(q->out[t].bits[o / 64] >> (o % 64) & 1);
  }
  return 0;
}

static int run_filter(search *q, int threads) {
  as_config cfg;
  as_config_defaults(&cfg);
  as_strategy_parse("cpu", &cfg.strategy);
  cfg.threads = threads;
  as_executor *ex = NULL;
  CHECK_INT_EQ(as_executor_create(&cfg, &ex), 0);
  memset(q->out, 0xa5, (q->n_tasks ? q->n_tasks : 1) * sizeof *q->out);
  as_batch b = search_batch(q);
  as_report rep;
  int rc = as_run(ex, &b, &rep);
  as_executor_destroy(ex);
  return rc;
}

/* The bits are exactly the bound pairs; no aligned pair at the threshold is
 * missing; one thread and several give the same bytes. */
static void check_exact(streams *s, double threshold, size_t *kept,
                        size_t *aligned) {
  search q;
  CHECK_INT_EQ(search_init(&q, s, threshold), 0);
  CHECK_INT_EQ(run_filter(&q, 1), 0);
  as_filter_out *one = malloc((q.n_tasks ? q.n_tasks : 1) * sizeof *one);
  memcpy(one, q.out, q.n_tasks * sizeof *one);
  CHECK_INT_EQ(run_filter(&q, 3), 0);
  CHECK_MSG(memcmp(one, q.out, q.n_tasks * sizeof *one) == 0,
            "1 and 3 threads differ (n %zu, s %g)", s->n, threshold);
  for (uint32_t i = 0; i < s->n; i++) {
    for (uint32_t j = 0; j < i; j++) {
      uint32_t m = s->len[i], n = s->len[j], total = m + n;
      uint32_t shorter = m < n ? m : n;
      int bound = as_similarity_reaches(shorter, total, threshold) &&
                  as_similarity_reaches(ref_overlap(s->tok[i], m, s->tok[j], n),
                                        total, threshold);
      int got = pair_bit(&q, i, j);
      CHECK_MSG(got == bound,
                "pair (%u, %u) lengths %u %u s %g: bit %d, bounds %d", i, j, m,
                n, threshold, got, bound);
      if (as_similarity_reaches(ref_lcs(s->tok[i], m, s->tok[j], n), total,
                                threshold)) {
        ++*aligned;
        CHECK_MSG(got, "pair (%u, %u) reaches %g aligned but was dropped", i, j,
                  threshold);
      }
      *kept += got;
    }
  }
  free(one);
  search_free(&q);
}

static void random_and_mutated(test_rng *rng) {
  static const double thresholds[] = {0.3, 0.5, 0.65, 0.8, 0.9, 0.95, 1.0};
  size_t pairs = 0, kept = 0, aligned = 0;
  for (int round = 0; round < 12; round++) {
    size_t n = 1 + test_below(rng, round < 6 ? 40 : 90);
    streams s = make_streams(rng, n, 1 + test_below(rng, 200));
    for (size_t k = 0; k < sizeof thresholds / sizeof *thresholds; k++)
      check_exact(&s, thresholds[k], &kept, &aligned);
    check_exact(&s, 0.05 + 0.95 * (double)test_below(rng, 1000) / 1000, &kept,
                &aligned);
    pairs += 8 * n * (n - 1) / 2;
    streams_free(&s);
  }
  printf("random: %zu pairs, %zu kept by the bounds, %zu aligned at the "
         "threshold\n",
         pairs, kept, aligned);
}

/* More than one block of partners: queries past AS_FILTER_BLOCK. */
static void several_blocks(test_rng *rng) {
  streams s = make_streams(rng, AS_FILTER_BLOCK + 150, 24);
  size_t kept = 0, aligned = 0;
  check_exact(&s, 0.8, &kept, &aligned);
  CHECK(aligned > 0);
  streams_free(&s);
}

static void bad_input_refused(test_rng *rng) {
  streams s = make_streams(rng, 30, 50);
  search q;
  CHECK_INT_EQ(search_init(&q, &s, 0.7), 0);
  CHECK_INT_EQ(run_filter(&q, 2), 0);
  as_filter_view v;
  as_filter_view_init(q.shared, &v);
  struct {
    const char *what;
    uint32_t *field;
    uint32_t value;
  } damage[] = {
      {"length", (uint32_t *)&v.len[3], v.len[3] + 1},
      {"histogram start", (uint32_t *)&v.hist_start[q.shared->n], 0},
      {"count", (uint32_t *)&v.hist_count[0], 0},
      {"element id", (uint32_t *)&v.prefix[0], q.shared->n_elements},
      {"posting", (uint32_t *)&v.post[0], q.shared->n},
      {"prefix place", (uint32_t *)&v.prefix_place[0], v.len[0]},
      {"posting place", (uint32_t *)&v.post_place[0], v.len[v.post[0]]},
      {"reserved", &q.shared->reserved, 1},
  };
  for (size_t d = 0; d < sizeof damage / sizeof *damage; d++) {
    uint32_t keep = *damage[d].field;
    *damage[d].field = damage[d].value;
    CHECK_MSG(run_filter(&q, 2) == AS_EINVAL, "damaged %s accepted",
              damage[d].what);
    *damage[d].field = keep;
  }
  double s_keep = q.shared->min_similarity;
  q.shared->min_similarity = 0;
  CHECK_INT_EQ(run_filter(&q, 1), AS_EINVAL);
  q.shared->min_similarity = s_keep;
  q.size -= 4;
  CHECK_INT_EQ(run_filter(&q, 1), AS_EINVAL);
  q.size += 4;
  q.tasks[0].query = q.shared->n;
  CHECK_INT_EQ(run_filter(&q, 1), AS_EINVAL);
  search_free(&q);
  CHECK_INT_EQ(as_filter_build((const uint32_t *const *)s.tok, s.len, s.n, 0,
                               &q.shared, &q.size),
               AS_EINVAL);
  CHECK_INT_EQ(as_filter_build((const uint32_t *const *)s.tok, s.len, s.n, 1.5,
                               &q.shared, &q.size),
               AS_EINVAL);
  s.len[2] = 0;
  CHECK_INT_EQ(as_filter_build((const uint32_t *const *)s.tok, s.len, s.n, 0.8,
                               &q.shared, &q.size),
               AS_EINVAL);
  s.len[2] = s.len[3] + 1; /* longer than the one after it */
  CHECK_INT_EQ(as_filter_build((const uint32_t *const *)s.tok, s.len, s.n, 0.8,
                               &q.shared, &q.size),
               AS_EINVAL);
  s.len[2] = 1;
  streams_free(&s);
}

/* need() is the boundary of as_similarity_reaches, and prefixes shorten as
 * the threshold rises. */
static void need_and_prefix(void) {
  for (uint32_t total = 2; total < 3000; total += 7)
    for (double t = 0.01; t <= 1.0; t += 0.0137) {
      uint32_t c = as_filter_need(total, t);
      CHECK(as_similarity_reaches(c, total, t));
      CHECK(c == 0 || !as_similarity_reaches(c - 1, total, t));
    }
  for (uint32_t m = 1; m < 500; m++) {
    CHECK(as_filter_probe_len(m, 1.0) == 1 && as_filter_index_len(m, 1.0) == 1);
    CHECK(as_filter_probe_len(m, 0.001) == m &&
          as_filter_index_len(m, 0.001) == m);
    CHECK(as_filter_probe_len(m, 0.9) <= as_filter_probe_len(m, 0.6));
    CHECK(as_filter_index_len(m, 0.8) <= as_filter_probe_len(m, 0.8));
    uint32_t n0 = as_filter_shortest_partner(m, 0.8);
    CHECK(as_similarity_reaches(n0, m + n0, 0.8));
    CHECK(n0 == 1 || !as_similarity_reaches(n0 - 1, m + n0 - 1, 0.8));
  }
}

int main(void) {
  test_rng rng = {test_seed()};
  need_and_prefix();
  random_and_mutated(&rng);
  several_blocks(&rng);
  bad_input_refused(&rng);
  return test_finish("filter");
}
