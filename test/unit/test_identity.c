/* ass_identity_classes (search/identity.h) against plain rounds of
 * relabelling from every node alone, on fresh random call graphs: chains,
 * cycles, self calls, nodes of no group (alone, as a callee that is only a
 * name) and few groups, so that most nodes could be equal; then two long
 * identical chains, where the rounds would take one round a level. */
#include <stdlib.h>
#include <string.h>

#include "search/identity.h"
#include "test_util.h"

enum { MAX_N = 400, MAX_CALLS = 3 };

/* The reference: each round, a node takes the least class of the nodes of
 * its group whose calls are pairwise in one class with its own, until no
 * class changes. Quadratic a round; the graphs are small. */
static void rounds(const ass_node *nodes, size_t n, uint32_t *klass) {
  uint32_t *next = malloc(n * sizeof *next);
  for (size_t i = 0; i < n; i++) klass[i] = (uint32_t)i;
  for (int changed = 1; changed;) {
    changed = 0;
    for (size_t i = 0; i < n; i++) {
      next[i] = klass[i];
      if (nodes[i].group == ASS_NO_GROUP) continue;
      for (size_t j = 0; j < n; j++) {
        const ass_node *a = &nodes[i], *b = &nodes[j];
        int same = b->group == a->group && b->n_calls == a->n_calls;
        for (uint32_t k = 0; same && k < a->n_calls; k++)
          same = klass[a->calls[k]] == klass[b->calls[k]];
        if (same && klass[j] < next[i]) next[i] = klass[j];
      }
    }
    for (size_t i = 0; i < n; i++) {
      changed |= next[i] != klass[i];
      klass[i] = next[i];
    }
  }
  free(next);
}

static unsigned joined; /* pairs of callers in one class, over all graphs */

static void random_graph(test_rng *rng) {
  const size_t n = 1 + test_below(rng, MAX_N);
  const uint32_t n_groups = 1 + test_below(rng, 4);
  ass_node nodes[MAX_N];
  uint32_t calls[MAX_N][MAX_CALLS], want[MAX_N], got[MAX_N];
  for (size_t i = 0; i < n; i++) {
    nodes[i].group =
        test_chance(rng, 0.1) ? ASS_NO_GROUP : test_below(rng, n_groups);
    nodes[i].n_calls = test_below(rng, MAX_CALLS + 1);
    for (uint32_t k = 0; k < nodes[i].n_calls; k++) {
      uint32_t r = test_below(rng, 10);
      calls[i][k] =
          r < 7 && i + 1 < n
              ? (uint32_t)(i + 1 +
                           test_below(rng, n - i - 1 < 3 ? n - i - 1 : 3))
          : r < 8 ? (uint32_t)i /* itself */
                  : test_below(rng, n);
    }
    nodes[i].calls = calls[i];
  }
  rounds(nodes, n, want);
  CHECK_INT_EQ(ass_identity_classes(nodes, n, got), 0);
  size_t bad = 0;
  for (size_t i = 0; i < n; i++) {
    bad += got[i] != want[i];
    joined += want[i] != i && nodes[i].n_calls > 0;
  }
  CHECK_MSG(bad == 0, "%zu nodes of %zu in another class than the rounds'", bad,
            n);
}

/* Two chains f0 -> f1 -> ... -> f(m-1) and g0 -> ..., and a third whose
 * end differs: every fi is gi's class, no hi is. */
static void long_chains(void) {
  enum { M = 100000 };
  ass_node *nodes = malloc(3 * M * sizeof *nodes);
  uint32_t *calls = malloc(3 * M * sizeof *calls), *klass = malloc(3 * M * 4);
  for (uint32_t c = 0; c < 3; c++)
    for (uint32_t i = 0; i < M; i++) {
      const uint32_t at = c * M + i;
      calls[at] = at + 1;
      nodes[at] =
          (ass_node){i + 1 < M ? 0 : 1 + (c == 2), i + 1 < M, &calls[at]};
    }
  CHECK_INT_EQ(ass_identity_classes(nodes, 3 * M, klass), 0);
  size_t bad = 0;
  for (uint32_t i = 0; i < M; i++)
    bad += klass[M + i] != klass[i] || klass[i] != i ||
           klass[2 * M + i] != 2 * M + i;
  CHECK_MSG(bad == 0, "long chains: %zu levels wrong", bad);
  free(nodes), free(calls), free(klass);
}

int main(void) {
  test_rng rng = {test_seed()};
  for (int i = 0; i < 300; i++) random_graph(&rng);
  CHECK(joined > 0); /* the graphs do join callers */
  long_chains();
  ass_node none = {0, 0, NULL};
  CHECK_INT_EQ(ass_identity_classes(&none, 0, NULL), 0);
  return test_finish("test_identity");
}
