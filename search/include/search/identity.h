/* Identity classes over a call graph, as mergefunc reaches them: the
 * plugin's on a TU (plugin/classes.c) and accelstrat-report's on a project
 * (report/project.c) are both this one partition.
 *
 * Two functions are equal when their local data are equal (the same group)
 * and their direct callees are pairwise equal. mergefunc reaches this by
 * merging and then comparing again the callers of what it merged: the
 * least fixed point, which keeps mutually recursive pairs apart (f1 -> f2
 * -> f1 and g1 -> g2 -> g1), unlike lld's ICF. */
#ifndef ACCELSTRAT_SEARCH_IDENTITY_H
#define ACCELSTRAT_SEARCH_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

/* Nodes of no group are alone: a function that cannot be merged, or a
 * callee that is only a name (it is equal to itself). */
#define ASS_NO_GROUP UINT32_MAX

typedef struct ass_node {
  uint32_t group;        /* equal local data; ASS_NO_GROUP: alone */
  uint32_t n_calls;      /* the direct callees, in order */
  const uint32_t *calls; /* node indices below n */
} ass_node;

/* The least partition of nodes[0, n) closed under the rule: two nodes of
 * one group with as many calls, each pair of them in one class, are in one
 * class. klass[i] is the smallest node of i's class. By congruence
 * closure (Downey, Sethi and Tarjan): near-linear, where rounds of
 * relabelling take one round per level of a call chain. Returns 0, or -1
 * when out of memory (klass is then undefined). */
int ass_identity_classes(const ass_node *nodes, size_t n, uint32_t *klass);

#endif
