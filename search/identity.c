/* Identity classes by congruence closure (identity.h).
 *
 * A table of signatures (the group, the classes of the calls) finds the
 * nodes that become equal, a union-find joins their classes, and after a
 * join only the callers of the smaller class are signed again (their
 * callees' class changed; the others' did not). Each node is signed again
 * O(log n) times. It only ever joins two nodes whose signatures are equal,
 * starting from every node alone, and stops when no two nodes of equal
 * signatures are apart: the finest partition closed under the rule. */
#include "search/identity.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct closure {
  const ass_node *nodes;
  uint32_t *parent, *size, *first; /* union-find; first: smallest member */
  uint32_t *use_head, *use_tail;   /* callers of each class: lists */
  uint32_t *use_next, *use_fn;     /* ... of entries */
  uint32_t *table;                 /* signature table: nodes */
  size_t table_mask, table_used;
  uint32_t *stack; /* pending joins (pairs) */
  size_t n_stack, cap_stack;
} closure;

static uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ULL;
  return h ^ h >> 29;
}

static uint32_t find(closure *c, uint32_t f) {
  while (c->parent[f] != f) f = c->parent[f] = c->parent[c->parent[f]];
  return f;
}

static uint64_t signature_hash(closure *c, uint32_t f) {
  const ass_node *nf = &c->nodes[f];
  uint64_t h = mix(nf->group, nf->n_calls);
  for (uint32_t i = 0; i < nf->n_calls; i++) h = mix(h, find(c, nf->calls[i]));
  return h;
}

static bool signatures_equal(closure *c, uint32_t a, uint32_t b) {
  const ass_node *na = &c->nodes[a], *nb = &c->nodes[b];
  if (na->group != nb->group || na->n_calls != nb->n_calls) return false;
  for (uint32_t i = 0; i < na->n_calls; i++)
    if (find(c, na->calls[i]) != find(c, nb->calls[i])) return false;
  return true;
}

static int push(closure *c, uint32_t a, uint32_t b) {
  if (c->n_stack + 2 > c->cap_stack) {
    size_t cap = c->cap_stack ? 2 * c->cap_stack : 64;
    uint32_t *grown = realloc(c->stack, cap * sizeof *grown);
    if (!grown) return -1;
    c->stack = grown, c->cap_stack = cap;
  }
  c->stack[c->n_stack++] = a;
  c->stack[c->n_stack++] = b;
  return 0;
}

/* Looks f's signature up: a node of another class with it is a join to
 * make; else f goes in. Entries are compared by their nodes' signatures
 * now, so an entry of f left from an earlier signature serves as one of
 * its signature now where it lies on that signature's probe path; but it
 * may lie before another node's entry of that signature, which must still
 * be met: the probe goes on past it. */
static int sign(closure *c, uint32_t f) {
  bool present = false;
  for (size_t k = (size_t)signature_hash(c, f) & c->table_mask;;
       k = (k + 1) & c->table_mask) {
    uint32_t g = c->table[k];
    if (g == UINT32_MAX) {
      if (!present) {
        c->table[k] = f;
        c->table_used++;
      }
      return 0;
    }
    if (g == f) {
      present = true;
      continue;
    }
    if (signatures_equal(c, f, g)) /* the same class already, or a join */
      return find(c, f) == find(c, g) ? 0 : push(c, f, g);
  }
}

/* The table at twice the size (at least four slots a node signed), with
 * the signatures now: the entries of old ones are dropped on the way. */
static int grow(closure *c, size_t n) {
  free(c->table);
  size_t slots = 2 * (c->table_mask + 1), n_signed = 0;
  for (size_t i = 0; i < n; i++) n_signed += c->nodes[i].group != ASS_NO_GROUP;
  while (slots < 4 * n_signed) slots *= 2;
  if (!(c->table = malloc(slots * sizeof *c->table))) return -1;
  memset(c->table, 0xff, slots * sizeof *c->table);
  c->table_mask = slots - 1;
  c->table_used = 0;
  for (size_t i = 0; i < n; i++)
    if (c->nodes[i].group != ASS_NO_GROUP && sign(c, (uint32_t)i) < 0)
      return -1;
  return 0;
}

/* Joins the classes of a and b, then signs the smaller one's callers again. */
static int join(closure *c, uint32_t a, uint32_t b) {
  uint32_t ra = find(c, a), rb = find(c, b);
  if (ra == rb) return 0;
  if (c->size[ra] < c->size[rb]) {
    uint32_t t = ra;
    ra = rb, rb = t;
  }
  c->parent[rb] = ra;
  c->size[ra] += c->size[rb];
  if (c->first[rb] < c->first[ra]) c->first[ra] = c->first[rb];
  for (uint32_t e = c->use_head[rb]; e != UINT32_MAX; e = c->use_next[e])
    if (sign(c, c->use_fn[e]) < 0) return -1;
  if (c->use_head[rb] != UINT32_MAX) { /* the lists go together */
    if (c->use_head[ra] == UINT32_MAX)
      c->use_head[ra] = c->use_head[rb];
    else
      c->use_next[c->use_tail[ra]] = c->use_head[rb];
    c->use_tail[ra] = c->use_tail[rb];
  }
  return 0;
}

int ass_identity_classes(const ass_node *nodes, size_t n, uint32_t *klass) {
  if (n == 0) return 0;
  size_t n_uses = 0;
  for (size_t i = 0; i < n; i++)
    if (nodes[i].group != ASS_NO_GROUP) n_uses += nodes[i].n_calls;
  closure c = {.nodes = nodes};
  c.parent = malloc(n * sizeof *c.parent);
  c.size = malloc(n * sizeof *c.size);
  c.first = malloc(n * sizeof *c.first);
  c.use_head = malloc(n * sizeof *c.use_head);
  c.use_tail = malloc(n * sizeof *c.use_tail);
  c.use_next = malloc((n_uses ? n_uses : 1) * sizeof *c.use_next);
  c.use_fn = malloc((n_uses ? n_uses : 1) * sizeof *c.use_fn);
  int rc = c.parent && c.size && c.first && c.use_head && c.use_tail &&
                   c.use_next && c.use_fn
               ? 0
               : -1;
  for (size_t i = 0; rc == 0 && i < n; i++) {
    c.parent[i] = c.first[i] = (uint32_t)i;
    c.size[i] = 1;
    c.use_head[i] = c.use_tail[i] = UINT32_MAX;
  }
  /* Who calls each node (nodes of no group are never signed). */
  size_t e = 0;
  for (size_t i = 0; rc == 0 && i < n; i++) {
    if (nodes[i].group == ASS_NO_GROUP) continue;
    for (uint32_t k = 0; k < nodes[i].n_calls; k++, e++) {
      uint32_t r = nodes[i].calls[k];
      c.use_fn[e] = (uint32_t)i;
      c.use_next[e] = UINT32_MAX;
      if (c.use_head[r] == UINT32_MAX)
        c.use_head[r] = (uint32_t)e;
      else
        c.use_next[c.use_tail[r]] = (uint32_t)e;
      c.use_tail[r] = (uint32_t)e;
    }
  }
  c.table_mask = 15;
  if (rc == 0) rc = grow(&c, n);
  while (rc == 0 && c.n_stack) {
    uint32_t b = c.stack[--c.n_stack], a = c.stack[--c.n_stack];
    rc = join(&c, a, b);
    if (rc == 0 && 2 * c.table_used > c.table_mask) rc = grow(&c, n);
  }
  for (size_t i = 0; rc == 0 && i < n; i++)
    klass[i] = c.first[find(&c, (uint32_t)i)];
  free(c.parent), free(c.size), free(c.first), free(c.use_head);
  free(c.use_tail), free(c.use_next), free(c.use_fn), free(c.table);
  free(c.stack);
  return rc;
}
