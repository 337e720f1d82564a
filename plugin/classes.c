/* Identity classes (classes.h).
 *
 * Two functions are equal, as mergefunc judges them, when their local data
 * are equal and their direct callees are pairwise equal. mergefunc reaches
 * this by merging and then re-comparing the callers of what it merged, which
 * is the least fixed point: mutually recursive pairs (f1 -> f2 -> f1 and
 * g1 -> g2 -> g1) stay apart, unlike lld's ICF. So refinement starts from
 * every function in a class of its own and only ever coarsens, joining
 * two classes only when their signatures say they must (refine, by
 * congruence closure). A class is named by its first member in module
 * order.
 *
 * These call classes are what a call counts as: of two equal functions,
 * mergefunc redirects the calls of the one it does not keep to the other
 * (unless it may be replaced at link time, and then it is no callee here),
 * even where it cannot then remove that body. Identity classes are the call
 * classes split where it cannot (split_unmerged). */
#include "classes.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "irhash.h"

typedef struct class_state {
  const asp_func *funcs;
  const walk_record *walks;
  const merge_traits *traits;
  uint32_t *local_group; /* first function with equal local data */
  uint32_t *klass;       /* current class */
  uint32_t *slots;       /* grouping table: function index or UINT32_MAX */
  size_t n_slots;        /* a power of two above twice the functions */
} class_state;

typedef uint64_t (*group_hash_fn)(const class_state *, uint32_t);
typedef bool (*group_equal_fn)(const class_state *, uint32_t, uint32_t);

static uint64_t local_data_hash(const class_state *s, uint32_t f) {
  return s->funcs[f].local_hash;
}

/* Equal tokens too, so that a collision of local hashes never merges. Only
 * functions that share their key are compared: the others' local_hash is
 * not whole. */
static bool local_data_equal(const class_state *s, uint32_t a, uint32_t b) {
  const walk_record *wa = &s->walks[a], *wb = &s->walks[b];
  if (s->funcs[a].local_hash != s->funcs[b].local_hash ||
      s->funcs[a].n_callees != s->funcs[b].n_callees || wa->n != wb->n)
    return false;
  for (uint32_t k = 0; k < wa->n; k++)
    if (as_hash_fold32(wa->tokens[k]) != as_hash_fold32(wb->tokens[k]))
      return false;
  return true;
}

/* Labels each member (given in module order) with the first member equal
 * to it; returns the number of groups. */
static size_t label_groups(const class_state *s, const uint32_t *members,
                           size_t n, group_hash_fn hash, group_equal_fn equal,
                           uint32_t *label) {
  size_t mask = s->n_slots - 1, groups = 0;
  memset(s->slots, 0xff, s->n_slots * sizeof *s->slots);
  for (size_t i = 0; i < n; i++) {
    uint32_t f = members[i];
    for (size_t k = (size_t)hash(s, f) & mask;; k = (k + 1) & mask) {
      if (s->slots[k] == UINT32_MAX) {
        s->slots[k] = f;
        label[f] = f;
        groups++;
        break;
      }
      if (equal(s, s->slots[k], f)) {
        label[f] = s->slots[k];
        break;
      }
    }
  }
  return groups;
}

/* Groups by local data and returns, in members, the functions that take
 * part in the rounds: those with callees. Functions without callees are
 * settled by their local data, and a function mergefunc does not admit
 * stays alone; so does one whose key no other function shares, which
 * nothing can equal. Such a group of one would be a class of its own in
 * every round too (callee_classes_equal needs one local group), so it
 * takes no part in them: that changes neither the other labels nor when
 * the class count stops falling. */
static size_t settle_local_groups(class_state *s, uint32_t *members, size_t n) {
  size_t n_grouped = 0;
  for (size_t i = 0; i < n; i++) {
    s->local_group[i] = (uint32_t)i;
    members[n_grouped] = (uint32_t)i;
    n_grouped += s->traits[i].eligible && s->walks[i].shared;
  }
  label_groups(s, members, n_grouped, local_data_hash, local_data_equal,
               s->local_group);
  size_t n_callers = 0;
  for (size_t i = 0; i < n; i++) {
    bool in_rounds = s->traits[i].eligible && s->walks[i].shared &&
                     s->funcs[i].n_callees > 0;
    s->klass[i] = in_rounds ? (uint32_t)i : s->local_group[i];
    if (in_rounds) members[n_callers++] = (uint32_t)i;
  }
  return n_callers;
}

/* ---- the least fixed point, by congruence closure -------------------------
 *
 * Rounds of relabelling take one round per level of a call chain: O(n x
 * depth), quadratic on a TU of long chains. The same partition comes from
 * congruence closure (Downey, Sethi and Tarjan): a table of signatures
 * (local group, the classes of the callees) finds the callers that become
 * equal, a union-find joins their classes, and after a join only the
 * callers of the smaller class are signed again (their callees' class
 * changed; the others' did not). Each caller is signed again O(log n)
 * times: near-linear. It only ever joins two callers whose signatures are
 * equal, starting from every caller alone, so it is the finest partition
 * closed under the rule: the least fixed point, as the rounds were. */

typedef struct closure {
  class_state *s;
  uint32_t *parent, *size, *first; /* union-find; first: smallest member */
  uint32_t *use_head, *use_tail;   /* callers of each class: lists */
  uint32_t *use_next, *use_fn;     /* ... of entries */
  uint32_t *table;                 /* signature table: callers */
  size_t table_mask, table_used;
  uint32_t *stack; /* pending joins (pairs) */
  size_t n_stack, cap_stack;
} closure;

static uint32_t cc_find(closure *c, uint32_t f) {
  while (c->parent[f] != f) f = c->parent[f] = c->parent[c->parent[f]];
  return f;
}

static uint64_t cc_hash(closure *c, uint32_t f) {
  const asp_func *fn = &c->s->funcs[f];
  uint64_t h = as_hash_combine(TAG_CALLEE, c->s->local_group[f]);
  for (uint32_t i = 0; i < fn->n_callees; i++)
    h = as_hash_combine(h, cc_find(c, fn->callees[i]));
  return h;
}

static bool cc_equal(closure *c, uint32_t a, uint32_t b) {
  if (c->s->local_group[a] != c->s->local_group[b]) return false;
  const asp_func *fa = &c->s->funcs[a], *fb = &c->s->funcs[b];
  for (uint32_t i = 0; i < fa->n_callees; i++)
    if (cc_find(c, fa->callees[i]) != cc_find(c, fb->callees[i])) return false;
  return true;
}

static int cc_push(closure *c, uint32_t a, uint32_t b) {
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

static int cc_sign(closure *c, uint32_t f);

/* The table at twice the size, with the callers' signatures now (the
 * entries of old signatures are dropped on the way). */
static int cc_grow(closure *c, const uint32_t *members, size_t n_callers) {
  free(c->table);
  size_t slots = 2 * (c->table_mask + 1);
  while (slots < 4 * n_callers) slots *= 2;
  if (!(c->table = malloc(slots * sizeof *c->table))) return -1;
  memset(c->table, 0xff, slots * sizeof *c->table);
  c->table_mask = slots - 1;
  c->table_used = 0;
  for (size_t i = 0; i < n_callers; i++)
    if (cc_sign(c, members[i]) < 0) return -1;
  return 0;
}

/* Looks f's signature up: a caller of another class with it is a join to
 * make; else f goes in. Entries are compared by their callers' signatures
 * now, so an entry of f left from an earlier signature serves as one of
 * its signature now where it lies on that signature's probe path; but it
 * may lie before another caller's entry of that signature, which must
 * still be met: the probe goes on past it. */
static int cc_sign(closure *c, uint32_t f) {
  bool present = false;
  for (size_t k = (size_t)cc_hash(c, f) & c->table_mask;;
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
    if (cc_equal(c, f, g)) /* the same class already, or a join */
      return cc_find(c, f) == cc_find(c, g) ? 0 : cc_push(c, f, g);
  }
}

/* Joins the classes of a and b, then signs the smaller one's callers again. */
static int cc_join(closure *c, uint32_t a, uint32_t b) {
  uint32_t ra = cc_find(c, a), rb = cc_find(c, b);
  if (ra == rb) return 0;
  if (c->size[ra] < c->size[rb]) {
    uint32_t t = ra;
    ra = rb, rb = t;
  }
  c->parent[rb] = ra;
  c->size[ra] += c->size[rb];
  if (c->first[rb] < c->first[ra]) c->first[ra] = c->first[rb];
  for (uint32_t e = c->use_head[rb]; e != UINT32_MAX; e = c->use_next[e])
    if (cc_sign(c, c->use_fn[e]) < 0) return -1;
  if (c->use_head[rb] != UINT32_MAX) { /* the lists go together */
    if (c->use_head[ra] == UINT32_MAX)
      c->use_head[ra] = c->use_head[rb];
    else
      c->use_next[c->use_tail[ra]] = c->use_head[rb];
    c->use_tail[ra] = c->use_tail[rb];
  }
  return 0;
}

static int refine(class_state *s, const uint32_t *members, size_t n_callers,
                  size_t n) {
  size_t n_uses = 0;
  for (size_t i = 0; i < n_callers; i++)
    n_uses += s->funcs[members[i]].n_callees;
  closure c = {.s = s};
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
    /* Settled functions are their local group's class from the start. */
    c.parent[i] = s->klass[i];
    c.size[i] = 1, c.first[i] = (uint32_t)i;
    c.use_head[i] = c.use_tail[i] = UINT32_MAX;
  }
  size_t e = 0;
  for (size_t i = 0; rc == 0 && i < n_callers; i++) {
    const asp_func *fn = &s->funcs[members[i]];
    for (uint32_t k = 0; k < fn->n_callees; k++, e++) {
      uint32_t r = cc_find(&c, fn->callees[k]);
      c.use_fn[e] = members[i];
      c.use_next[e] = UINT32_MAX;
      if (c.use_head[r] == UINT32_MAX)
        c.use_head[r] = (uint32_t)e;
      else
        c.use_next[c.use_tail[r]] = (uint32_t)e;
      c.use_tail[r] = (uint32_t)e;
    }
  }
  c.table_mask = 15;
  if (rc == 0) rc = cc_grow(&c, members, n_callers);
  while (rc == 0 && c.n_stack) {
    uint32_t b = c.stack[--c.n_stack], a = c.stack[--c.n_stack];
    rc = cc_join(&c, a, b);
    if (rc == 0 && 2 * c.table_used > c.table_mask)
      rc = cc_grow(&c, members, n_callers);
  }
  /* A class is named by its first member in module order. */
  for (size_t i = 0; rc == 0 && i < n; i++)
    s->klass[i] = c.first[cc_find(&c, (uint32_t)i)];
  free(c.parent), free(c.size), free(c.first), free(c.use_head);
  free(c.use_tail), free(c.use_next), free(c.use_fn), free(c.table);
  free(c.stack);
  return rc;
}

/* ---- which body mergefunc keeps ------------------------------------------ */

/* StringRef's order. */
static int name_compare(const asp_func *a, const asp_func *b) {
  size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
  int r = n ? memcmp(a->name, b->name, n) : 0;
  if (r) return r;
  return (a->name_len > b->name_len) - (a->name_len < b->name_len);
}

/* LLVM 19's isFuncOrderCorrect: of two equal functions mergefunc keeps the
 * one that cannot be replaced at link time, then the external one, then
 * the first by name. (Later versions rank ODR linkage first.) */
static bool keeps_first(const class_state *s, uint32_t f, uint32_t g) {
  const merge_traits *tf = &s->traits[f], *tg = &s->traits[g];
  if (tf->interposable != tg->interposable) return !tf->interposable;
  if (tf->local != tg->local) return !tf->local;
  return name_compare(&s->funcs[f], &s->funcs[g]) <= 0;
}

/* LLVM 19's mergeTwoFunctions(F, G), keeping f: whether g's body goes. Two
 * bodies that may be replaced at link time both become thunks of a shared
 * copy, if a thunk can be made (aliases are off by default). Otherwise g's
 * uses go to f, all of them where its address does not matter, else its
 * calls unless g may be replaced; g is then deleted if nothing uses it and
 * its linkage lets it go, else it becomes a thunk if one can be made, else
 * it stays. */
static bool merges_into(const merge_traits *t, uint32_t f, uint32_t g) {
  if (t[f].interposable) return t[f].thunkable;
  bool unused = t[g].interposable
                    ? t[g].uses == USES_NONE
                    : t[g].address_free || t[g].uses != USES_OTHER;
  return (t[g].discardable && unused) || t[f].thunkable;
}

static uint32_t find_root(uint32_t *root, uint32_t f) {
  while (root[f] != f) f = root[f] = root[root[f]];
  return f;
}

/* The smaller index names the joined tree. */
static void unite(uint32_t *root, uint32_t a, uint32_t b) {
  uint32_t ra = find_root(root, a), rb = find_root(root, b);
  if (ra < rb)
    root[rb] = ra;
  else
    root[ra] = rb;
}

/* Replays mergefunc's merges within each call class in module order (the
 * order it first meets them; callers that it re-compares after a merge may
 * meet in another order): each member meets the function kept so far, the
 * order decides which of the two stays, and root joins the two when the
 * other one's body goes. kept is indexed by class name. */
static void split_unmerged(const class_state *s, size_t n, uint32_t *kept,
                           uint32_t *root) {
  for (uint32_t i = 0; i < n; i++) {
    root[i] = i;
    uint32_t name = s->klass[i];
    if (name == i) {
      kept[i] = i;
      continue;
    }
    uint32_t f = kept[name], g = i;
    if (!keeps_first(s, f, g)) {
      f = i;
      g = kept[name];
      kept[name] = i;
    }
    if (merges_into(s->traits, f, g)) unite(root, f, g);
  }
}

/* Dense ids in module order of each class's first member. */
static void number_classes(asp_module *mod, const class_state *s,
                           uint32_t *root, uint32_t *call_class) {
  uint32_t next_id = 0, next_call_id = 0;
  for (uint32_t i = 0; i < mod->n; i++) {
    uint32_t r = find_root(root, i);
    mod->funcs[i].klass = r == i ? next_id++ : mod->funcs[r].klass;
    call_class[i] = s->klass[i] == i ? next_call_id++ : call_class[s->klass[i]];
  }
}

int assign_classes(asp_module *mod, const walk_record *walks,
                   const merge_traits *traits, uint32_t *call_class) {
  if (mod->n == 0) return 0;
  size_t n = mod->n, n_slots = 2;
  while (n_slots < 2 * n) n_slots *= 2;
  uint32_t *members = malloc(n * sizeof *members);
  uint32_t *next = malloc(n * sizeof *next);
  class_state s = {mod->funcs,
                   walks,
                   traits,
                   malloc(n * sizeof *s.local_group),
                   malloc(n * sizeof *s.klass),
                   malloc(n_slots * sizeof *s.slots),
                   n_slots};
  int rc = -1;
  if (!members || !next || !s.local_group || !s.klass || !s.slots) goto out;
  size_t n_callers = settle_local_groups(&s, members, n);
  if (refine(&s, members, n_callers, n) < 0) goto out;
  /* members and next are scratch again. */
  split_unmerged(&s, n, next, members);
  number_classes(mod, &s, members, call_class);
  rc = 0;
out:
  free(members);
  free(next);
  free(s.local_group);
  free(s.klass);
  free(s.slots);
  return rc;
}
