/* accelstrat-gpu-check's inputs (gpu_check_inputs.h). */
#include "gpu_check_inputs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/rng.h"
#include "synth.h"

void *gc_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "gpu-check: out of host memory (%zu bytes)\n", n);
    exit(1);
  }
  return p;
}

void *gc_xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) {
    fprintf(stderr, "gpu-check: out of host memory (%zu bytes)\n", n);
    exit(1);
  }
  return p;
}

static uint64_t rng;

void gc_seed(uint64_t seed) { rng = seed; }

uint64_t gc_rnd(void) { return as__splitmix64_next(&rng); }

uint32_t gc_below(uint32_t n) { return n ? (uint32_t)(gc_rnd() % n) : 0; }

uint32_t gc_token(uint32_t alphabet) {
  static const uint32_t edges[] = {0, UINT32_MAX, 1, 0x80000000u};
  if (alphabet == 0) return (uint32_t)gc_rnd();
  uint32_t k = gc_below(alphabet);
  return k < 4 ? edges[k] : k * 0x9e3779b1u + 12345u;
}

/* ---- ragged batches ---- */

void gc_ragged_init(gc_ragged *r) {
  memset(r, 0, sizeof *r);
  r->off = gc_xmalloc(sizeof *r->off);
  r->off[0] = 0;
  r->off_cap = 1;
}

void gc_ragged_free(gc_ragged *r) {
  free(r->w);
  free(r->off);
}

uint32_t *gc_ragged_grow(gc_ragged *r, size_t words) {
  if (r->len + words > r->cap) {
    r->cap = (r->len + words) * 2 + 64;
    r->w = gc_xrealloc(r->w, r->cap * sizeof *r->w);
  }
  r->len += words;
  return r->w + r->len - words;
}

void gc_ragged_end_task(gc_ragged *r) {
  if (r->n + 2 > r->off_cap) {
    r->off_cap = (r->n + 2) * 2;
    r->off = gc_xrealloc(r->off, r->off_cap * sizeof *r->off);
  }
  r->off[++r->n] = r->len * sizeof(uint32_t);
}

as_batch gc_ragged_batch(const as_kernel *k, const gc_ragged *r) {
  as_batch b = {k, r->n, r->w, r->off, NULL, 0, NULL};
  return b;
}

static void fill_stream(uint32_t *dst, uint32_t len, uint32_t alphabet) {
  for (uint32_t i = 0; i < len; i++) dst[i] = gc_token(alphabet);
}

static uint32_t edge_token(as_rng *r, void *alphabet) {
  (void)r; /* gc_token draws from this file's stream */
  return gc_token(*(const uint32_t *)alphabet);
}

/* b: a near-duplicate of a (synth.h's edits; every 0: unrelated) in this
 * file's tokens, cut or padded to len_b. */
static void mutate(const uint32_t *a, uint32_t len_a, uint32_t *b,
                   uint32_t len_b, uint32_t alphabet, uint32_t every) {
  as_rng edits = as__rng_seeded(gc_rnd());
  as__synth_mutate_by(&edits, a, len_a, b, len_b, every, edge_token, &alphabet);
}

void gc_add_pair(gc_ragged *r, uint32_t len_a, uint32_t len_b,
                 uint32_t alphabet, uint32_t every) {
  uint32_t *task = gc_ragged_grow(r, 2 + (size_t)len_a + len_b);
  task[0] = len_a;
  task[1] = len_b;
  fill_stream(task + 2, len_a, alphabet);
  mutate(task + 2, len_a, task + 2 + len_a, len_b, alphabet, every);
  gc_ragged_end_task(r);
}

uint64_t gc_align_cells(const gc_ragged *r) {
  uint64_t cells = 0;
  for (size_t i = 0; i < r->n; i++) {
    const uint32_t *t = (const uint32_t *)((const char *)r->w + r->off[i]);
    cells += (uint64_t)t[0] * t[1];
  }
  return cells;
}

/* ---- filter searches ---- */

typedef struct function {
  uint32_t len, index;
  uint32_t *tok;
} function;

static int by_length(const void *pa, const void *pb) {
  const function *a = pa, *b = pb;
  if (a->len != b->len) return a->len < b->len ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index;
}

/* Fresh or, six times in ten, a near-duplicate of an earlier one. */
static void make_functions(function *f, uint32_t n, uint32_t min_len,
                           uint32_t max_len, uint32_t alphabet,
                           uint32_t every) {
  for (uint32_t i = 0; i < n; i++) {
    const function *from = i > 0 && gc_below(10) < 6 ? &f[gc_below(i)] : NULL;
    uint32_t len =
        from ? from->len + gc_below(from->len / 8 + 1) - from->len / 16
             : min_len + gc_below(max_len - min_len + 1);
    f[i].len = len ? len : 1;
    f[i].index = i;
    f[i].tok = gc_xmalloc(f[i].len * sizeof *f[i].tok);
    if (from)
      mutate(from->tok, from->len, f[i].tok, f[i].len, alphabet, every);
    else
      fill_stream(f[i].tok, f[i].len, alphabet);
  }
}

void gc_search_make(gc_search *q, uint32_t n, uint32_t min_len,
                    uint32_t max_len, uint32_t alphabet, uint32_t every,
                    double s) {
  function *f = gc_xmalloc(n * sizeof *f);
  const uint32_t **tok = gc_xmalloc(n * sizeof *tok);
  uint32_t *len = gc_xmalloc(n * sizeof *len);
  make_functions(f, n, min_len, max_len, alphabet, every);
  qsort(f, n, sizeof *f, by_length);
  for (uint32_t i = 0; i < n; i++) tok[i] = f[i].tok, len[i] = f[i].len;
  memset(q, 0, sizeof *q);
  int rc = as_filter_build(tok, len, n, s, &q->shared, &q->size);
  if (rc == 0) rc = as_filter_tasks(q->shared, &q->tasks, &q->n_tasks);
  if (rc < 0) {
    fprintf(stderr, "gpu-check: building a filter search: %s\n",
            as_strerror(rc));
    exit(1);
  }
  q->off = gc_xmalloc((q->n_tasks + 1) * sizeof *q->off);
  for (size_t t = 0; t <= q->n_tasks; t++) q->off[t] = t * sizeof *q->tasks;
  for (uint32_t i = 0; i < n; i++) free(f[i].tok);
  free(f), free(tok), free(len);
}

void gc_search_free(gc_search *q) {
  free(q->shared), free(q->tasks), free(q->off);
}

as_batch gc_search_batch(const gc_search *q) {
  as_batch b = {&as_kernel_filter, q->n_tasks, q->tasks, q->off,
                q->shared,         q->size,    NULL};
  return b;
}
