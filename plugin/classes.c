/* Identity classes (classes.h).
 *
 * Two functions are equal, as mergefunc judges them, when their local data
 * are equal and their direct callees are pairwise equal: the least fixed
 * point, which search/identity.h computes (the report's on a project is
 * the same partition). Here: the local groups it starts from. A class is
 * named by its first member in module order.
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
#include "search/identity.h"

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

/* Groups by local data (local_group: the first function with equal local
 * data) and finds the call classes (klass). A function mergefunc does not
 * admit stays alone; so does one whose key no other function shares,
 * which nothing can equal. */
static int call_classes(class_state *s, uint32_t *members, size_t n) {
  size_t n_grouped = 0;
  for (size_t i = 0; i < n; i++) {
    s->local_group[i] = (uint32_t)i;
    members[n_grouped] = (uint32_t)i;
    n_grouped += s->traits[i].eligible && s->walks[i].shared;
  }
  label_groups(s, members, n_grouped, local_data_hash, local_data_equal,
               s->local_group);
  ass_node *nodes = malloc(n * sizeof *nodes);
  if (!nodes) return -1;
  for (size_t i = 0; i < n; i++) {
    const bool grouped = s->traits[i].eligible && s->walks[i].shared;
    nodes[i] = (ass_node){grouped ? s->local_group[i] : ASS_NO_GROUP,
                          s->funcs[i].n_callees, s->funcs[i].callees};
  }
  int rc = ass_identity_classes(nodes, n, s->klass);
  free(nodes);
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
  if (call_classes(&s, members, n) < 0) goto out;
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
