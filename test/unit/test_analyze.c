/* The promise of the analysis (plugin/analyze.c), end to end on records
 * made here from fresh random and mutated token streams: the pairs reported
 * are exactly those that exhaustive all-pairs alignment finds at the
 * threshold, at their exact LCS, plus one identical pair per member of an
 * identity class; the same for every strategy (the sim backend included),
 * thread count and injected fault. */
#include <stdlib.h>
#include <string.h>

#include <accelstrat/accelstrat.h>

#include "analyze.h"
#include "test_streams.h"
#include "test_util.h"

/* Functions in line order; every third of the copies is made a member of
 * its base's identity class (identical tokens), as mergefunc would. */
static asp_module make_module(test_rng *rng, const streams *s) {
  /* No strict source: the records carry their own strict tokens. */
  asp_module mod = {calloc(s->n, sizeof(asp_func)), s->n, NULL};
  for (size_t f = 0; f < s->n; f++) {
    asp_func *fn = &mod.funcs[f];
    fn->line = (unsigned)f + 1;
    fn->n_insts = s->len[f];
    fn->tokens = fn->strict_tokens = s->tok[f];
    fn->klass = (uint32_t)f;
    if (f > 0 && test_chance(rng, 0.1)) {
      size_t g = test_below(rng, f);
      uint32_t *copy = malloc(s->len[g] * sizeof *copy);
      memcpy(copy, s->tok[g], s->len[g] * sizeof *copy);
      free(s->tok[f]);
      s->tok[f] = copy;
      s->len[f] = s->len[g];
      fn->tokens = fn->strict_tokens = copy;
      fn->n_insts = s->len[g];
      fn->klass = mod.funcs[g].klass;
    }
  }
  return mod;
}

/* What the analysis must report, in its order (by the later function's
 * line, then the earlier one's). */
static size_t expected_pairs(const asp_module *mod, double s,
                             unsigned min_insts, asp_pair *out) {
  size_t n = 0;
  for (uint32_t f = 0; f < mod->n; f++) {
    const asp_func *a = &mod->funcs[f];
    if (a->n_insts < min_insts) continue;
    for (uint32_t g = 0; g < f; g++) {
      const asp_func *b = &mod->funcs[g];
      if (b->n_insts < min_insts) continue;
      int leader_b = 1; /* b is the first analysed member of its class */
      for (uint32_t k = 0; k < g; k++)
        if (mod->funcs[k].klass == b->klass &&
            mod->funcs[k].n_insts >= min_insts)
          leader_b = 0;
      if (!leader_b) continue;
      uint32_t total = a->n_insts + b->n_insts;
      if (a->klass == b->klass) {
        out[n++] = (asp_pair){
            .f = f, .g = g, .lcs = a->n_insts, .total = total, .identical = 1};
        continue;
      }
      int leader_a = 1;
      for (uint32_t k = 0; k < f; k++)
        if (mod->funcs[k].klass == a->klass &&
            mod->funcs[k].n_insts >= min_insts)
          leader_a = 0;
      if (!leader_a) continue;
      uint32_t lcs = ref_lcs(a->tokens, a->n_insts, b->tokens, b->n_insts);
      if (as_similarity_reaches(lcs, total, s))
        out[n++] = (asp_pair){.f = f, .g = g, .lcs = lcs, .total = total};
    }
  }
  return n;
}

typedef struct variant {
  const char *strategy;
  int threads;
  as_fault fault;
  long chunk;
} variant;

static void check_variant(asp_module *mod, const asp_pair *want, size_t n_want,
                          double s, unsigned min_insts, const variant *v) {
  asp_options opts;
  memset(&opts, 0, sizeof opts);
  as_config_defaults(&opts.runtime);
  as_strategy_parse(v->strategy, &opts.runtime.strategy);
  opts.runtime.threads = v->threads;
  opts.min_similarity = s;
  opts.min_instructions = min_insts;
  as_executor *ex = NULL;
  CHECK_INT_EQ(as_executor_create(&opts.runtime, &ex), 0);
  CHECK_INT_EQ(as_executor_inject(ex, v->fault, v->chunk), 0);
  asp_result res;
  char err[512] = "";
  int rc = asp_analyze(mod, &opts, ex, NULL, NULL, &res, err, sizeof err);
  CHECK_MSG(rc == 0, "%s threads %d fault %d: %s", v->strategy, v->threads,
            (int)v->fault, err);
  int same = rc == 0 && res.n_pairs == n_want;
  for (size_t p = 0; same && p < n_want; p++)
    same = res.pairs[p].f == want[p].f && res.pairs[p].g == want[p].g &&
           res.pairs[p].lcs == want[p].lcs &&
           res.pairs[p].total == want[p].total &&
           !res.pairs[p].identical == !want[p].identical &&
           /* the records' own strict tokens (those of records made without
            * asp_module_load), here equal to their tokens */
           res.pairs[p].strict_lcs == want[p].lcs;
  CHECK_MSG(same,
            "%s threads %d fault %d, s %g, %zu functions: %zu pairs, "
            "exhaustive alignment %zu",
            v->strategy, v->threads, (int)v->fault, s, mod->n, res.n_pairs,
            n_want);
  /* Each record sums its batches (align ones of ASP_ALIGN_CHUNK pairs
   * here): the tasks add up across devices, and every moved task ran on
   * the CPU. */
  for (int k = 0; rc == 0 && k < ASP_BATCHES; k++) {
    const as_report *r = &res.batch[k];
    uint64_t moved = 0;
    for (unsigned e = 0; e < r->n_events; e++)
      moved += r->events[e].tasks_moved;
    CHECK_MSG(
        r->tasks_on[AS_DEVICE_CPU] + r->tasks_on[AS_DEVICE_GPU] == r->tasks &&
            moved <= r->tasks_on[AS_DEVICE_CPU],
        "%s fault %d batch %d: %llu tasks, cpu %llu, gpu %llu, moved %llu",
        v->strategy, (int)v->fault, k, (unsigned long long)r->tasks,
        (unsigned long long)r->tasks_on[AS_DEVICE_CPU],
        (unsigned long long)r->tasks_on[AS_DEVICE_GPU],
        (unsigned long long)moved);
  }
  asp_result_free(&res);
  as_executor_destroy(ex);
}

int main(void) {
  test_rng rng = {test_seed()};
  setenv("ACCELSTRAT_GPU", "sim", 1);
  setenv("ACCELSTRAT_PROFILE", "off", 1);
  static const variant variants[] = {
      {"cpu", 1, AS_FAULT_NONE, 0},
      {"cpu", 2, AS_FAULT_NONE, 0},
      {"cpu", 3, AS_FAULT_NONE, 0},
      {"auto", 0, AS_FAULT_NONE, 0},
      {"gpu", 0, AS_FAULT_NONE, 0},
      {"hybrid", 2, AS_FAULT_NONE, 0},
      {"hybrid:0.5", 2, AS_FAULT_NONE, 0},
      {"gpu", 0, AS_FAULT_GPU_OOM, 0},
      {"gpu", 0, AS_FAULT_GPU_DRIVER_ERROR, 1},
      {"hybrid", 2, AS_FAULT_GPU_UNAVAILABLE, 0},
  };
  static const double thresholds[] = {0.5, 0.8, 0.95};
  size_t total_pairs = 0;
  for (int round = 0; round < 6; round++) {
    streams s =
        make_streams(&rng, 2 + test_below(&rng, 70), 1 + test_below(&rng, 150));
    asp_module mod = make_module(&rng, &s);
    asp_pair *want = malloc((s.n * s.n + 1) * sizeof *want);
    for (size_t t = 0; t < 4; t++) {
      double th =
          t < 3 ? thresholds[t] : 0.3 + 0.7 * test_below(&rng, 1000) / 1000.0;
      unsigned min_insts = 1 + (round % 3) * test_below(&rng, 20);
      size_t n_want = expected_pairs(&mod, th, min_insts, want);
      total_pairs += n_want;
      for (size_t v = 0; v < sizeof variants / sizeof *variants; v++)
        check_variant(&mod, want, n_want, th, min_insts, &variants[v]);
    }
    free(want);
    free(mod.funcs);
    streams_free(&s);
  }
  printf("%zu expected pairs checked under %zu variants\n", total_pairs,
         sizeof variants / sizeof *variants);
  return test_finish("analyze");
}
