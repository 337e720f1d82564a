/* accelstrat-bench kernels: the align kernel's speed per length class in
 * GCUPS (len_a x len_b cells a second), side by side in one process with
 * the portable as_lcs (lcs.h: the GPU's per-thread path and the CPU
 * kernel's fallback), a scalar yardstick (yardstick.h) and, when rapidfuzz
 * is importable, RapidFuzz's LCSseq over the same pairs (bench/peers.py, a
 * child process), all on one thread; then the kernel through as_run
 * (strategy=cpu) on every thread, per core. With --replay DIR, the align
 * batches there (the plugin's dump=DIR) make one more row. Then the filter
 * kernel against its memory roofline (kernels_filter.c).
 *
 * Pairs: near-duplicate token streams of the class's length, each token of
 * the second replaced with probability 1/10, alphabets of 40 to 300
 * distinct 32-bit tokens (drawn per pair), as real functions have. The
 * variants run interleaved (bench_interleave), every one's LCS checked
 * against the kernel's on every pair. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batchfile.h"
#include "bench.h"
#include "lcs.h"
#include "support/rng.h"
#include "yardstick.h"

#define CLASSES 4
#define VARIANTS 3 /* kernel, as_lcs, yardstick: one thread each */
static const uint32_t class_len[CLASSES] = {64, 256, 1000, 4000};
static const char *const variant_name[VARIANTS] = {"kernel", "as_lcs",
                                                   "yardstick"};

typedef struct pairs {
  as_batch batch;
  uint32_t *words;
  uint64_t *offsets;
  as_align_out *out, *ref;
  double cells;
} pairs;

typedef struct cell {
  char label[64]; /* the class's tokens, or the replayed file */
  pairs p;
  double *ns;            /* ns[v * reps + round] */
  double best[VARIANTS]; /* ns */
  double all_ns;         /* as_run on every thread, best round */
  int all_threads;       /* the threads it used */
  double peer_s;         /* RapidFuzz's best, s; < 0: not measured */
  char peer_note[160];   /* its version, or why not measured */
} cell;

static void usage(FILE *f) {
  fprintf(f,
          "usage: accelstrat-bench kernels [options]\n"
          "The align kernel in GCUPS per length class (64, 256, 1000, 4000 "
          "tokens;\n"
          "--quick: fewer pairs), one thread, against as_lcs, a scalar "
          "yardstick and\n"
          "RapidFuzz's LCSseq (bench/peers.py; skipped when rapidfuzz is not "
          "importable),\n"
          "then through as_run on every thread; then the filter kernel's "
          "units/s\n"
          "per function length against a read-bandwidth roofline measured "
          "in the same\n"
          "run. Exit 1 when an output differs.\n" BENCH_OPTIONS_HELP);
}

static void pairs_free(pairs *p) {
  free(p->words);
  free(p->offsets);
  free(p->out);
  free(p->ref);
  memset(p, 0, sizeof *p);
}

/* n pairs of len tokens: b is a with each token replaced at 1/10. */
static int pairs_make(pairs *p, uint32_t len, size_t n, uint64_t seed) {
  memset(p, 0, sizeof *p);
  const size_t per = 2 + 2 * (size_t)len; /* header and both streams */
  p->words = malloc(n * per * sizeof *p->words);
  p->offsets = malloc((n + 1) * sizeof *p->offsets);
  p->out = calloc(n, sizeof *p->out);
  p->ref = calloc(n, sizeof *p->ref);
  if (!p->words || !p->offsets || !p->out || !p->ref) return AS_ENOMEM;
  as_rng r = as__rng_seeded(seed);
  uint32_t tokens[300];
  for (size_t i = 0; i < n; i++) {
    uint32_t *t = p->words + i * per, alphabet = 40 + as__rng_below(&r, 261);
    for (uint32_t k = 0; k < alphabet; k++)
      tokens[k] = (uint32_t)as__rng_next(&r);
    t[0] = t[1] = len;
    for (uint32_t k = 0; k < len; k++)
      t[2 + k] = tokens[as__rng_below(&r, alphabet)];
    for (uint32_t k = 0; k < len; k++)
      t[2 + len + k] = as__rng_below(&r, 10)
                           ? t[2 + k]
                           : tokens[as__rng_below(&r, alphabet)];
    p->offsets[i] = i * per * sizeof *p->words;
  }
  p->offsets[n] = n * per * sizeof *p->words;
  p->batch =
      (as_batch){&as_kernel_align, n, p->words, p->offsets, NULL, 0, p->out};
  p->cells = (double)n * len * len;
  return 0;
}

/* The pairs of every align batch among w[0, n), copied into one batch
 * (replayed batches are small: together they take long enough to time); 0 pairs
 * when there are none. */
static int pairs_of(pairs *p, const bench_workload *w, int n, int *batches) {
  memset(p, 0, sizeof *p);
  size_t tasks = 0, bytes = 0;
  *batches = 0;
  for (int i = 0; i < n; i++) {
    const as_batch *b = &w[i].s.batch;
    if (b->kernel != &as_kernel_align) continue;
    ++*batches;
    tasks += b->n;
    bytes += (size_t)(b->offsets[b->n] - b->offsets[0]);
  }
  p->words = malloc(bytes ? bytes : 1);
  p->offsets = malloc((tasks + 1) * sizeof *p->offsets);
  p->out = calloc(tasks ? tasks : 1, sizeof *p->out);
  p->ref = calloc(tasks ? tasks : 1, sizeof *p->ref);
  if (!p->words || !p->offsets || !p->out || !p->ref) return AS_ENOMEM;
  size_t t = 0, at = 0;
  for (int i = 0; i < n; i++) {
    const as_batch *b = &w[i].s.batch;
    if (b->kernel != &as_kernel_align) continue;
    for (size_t k = 0; k < b->n; k++, t++) {
      size_t size;
      const as_align_task *task = as_task_input(b, k, &size);
      memcpy((char *)p->words + at, task, size);
      p->offsets[t] = at;
      at += size;
      p->cells += (double)task->len_a * task->len_b;
    }
  }
  p->offsets[tasks] = at;
  p->batch = (as_batch){
      &as_kernel_align, tasks, p->words, p->offsets, NULL, 0, p->out};
  return 0;
}

static const uint32_t *pair_tokens(const pairs *p, size_t i, uint32_t *la,
                                   uint32_t *lb) {
  const as_align_task *t = as_task_input(&p->batch, i, NULL);
  *la = t->len_a;
  *lb = t->len_b;
  return (const uint32_t *)(t + 1);
}

typedef struct run_ctx {
  cell *c;
  uint64_t *work; /* as_lcs's workspace */
  bench_yardstick yard;
  int differ;
} run_ctx;

/* The variant's LCS of every pair into out, timed. */
static int run_variant(void *arg, int v, double *ns) {
  run_ctx *x = arg;
  pairs *p = &x->c->p;
  uint64_t start = as__now_ns();
  if (v == 0) {
    if (as_kernel_align.cpu(&p->batch, 0, p->batch.n) < 0) return 1;
  } else {
    for (size_t i = 0; i < p->batch.n; i++) {
      uint32_t la, lb;
      const uint32_t *a = pair_tokens(p, i, &la, &lb);
      int64_t lcs = v == 1 ? as_lcs(a, la, a + la, lb, x->work)
                           : bench_yardstick_lcs(&x->yard, a, la, a + la, lb);
      if (lcs < 0) return 1;
      p->ref[i].lcs = (uint32_t)lcs;
    }
  }
  *ns = (double)(as__now_ns() - start);
  if (v != 0)
    for (size_t i = 0; i < p->batch.n; i++)
      if (p->ref[i].lcs != p->out[i].lcs) {
        fprintf(stderr,
                "accelstrat-bench kernels: %s gives LCS %u, the "
                "kernel %u (pair %zu)\n",
                variant_name[v], p->ref[i].lcs, p->out[i].lcs, i);
        x->differ = 1;
        return 1;
      }
  return 0;
}

/* RapidFuzz over the same pairs in a child: the batch written to a
 * temporary file for bench/peers.py. */
static void run_peer(cell *c, int runs) {
  c->peer_s = -1;
  const char *script = getenv("ACCELSTRAT_BENCH_PEERS");
  if (!script || !*script) script = ACCELSTRAT_SOURCE_DIR "/bench/peers.py";
  char path[] = "/tmp/accelstrat-kernels-XXXXXX", err[256], cmd[1024];
  int fd = mkstemp(path);
  if (fd < 0 ||
      (close(fd), as__batch_write(&c->p.batch, path, err, sizeof err)) < 0) {
    snprintf(c->peer_note, sizeof c->peer_note, "batch not written");
    if (fd >= 0) unlink(path);
    return;
  }
  snprintf(cmd, sizeof cmd, "python3 '%s' align '%s' %d 2>&1", script, path,
           runs);
  FILE *f = popen(cmd, "r");
  char line[1024] = "";
  if (f && !fgets(line, sizeof line, f)) line[0] = '\0';
  if (f) pclose(f);
  unlink(path);
  const char *best = strstr(line, "\"best_s\": "),
             *sum = strstr(line, "\"lcs_sum\": ");
  const char *version = strstr(line, "\"version\": \"");
  if (!best || !sum) {
    const char *why = strstr(line, "\"skipped\": \"");
    snprintf(c->peer_note, sizeof c->peer_note, "%.150s",
             why     ? why + 12
             : *line ? line
                     : "peers.py printed nothing");
    char *end = strchr(c->peer_note, '"');
    if (end) *end = '\0';
    return;
  }
  uint64_t lcs_sum = strtoull(sum + 11, NULL, 10), ours = 0;
  for (size_t i = 0; i < c->p.batch.n; i++) ours += c->p.out[i].lcs;
  if (lcs_sum != ours) {
    snprintf(c->peer_note, sizeof c->peer_note,
             "RapidFuzz's LCS sum %" PRIu64 " is not the kernel's %" PRIu64,
             lcs_sum, ours);
    return;
  }
  c->peer_s = strtod(best + 10, NULL);
  snprintf(c->peer_note, sizeof c->peer_note, "rapidfuzz %.20s",
           version ? version + 12 : "?");
  char *end = strchr(c->peer_note + 10, '"');
  if (end) *end = '\0';
}

/* The kernel through as_run on every thread: the best of reps rounds. */
static int run_all_threads(bench_session *s, cell *c) {
  return bench_best_cpu_run(
      s, &c->p.batch, c->p.ref, c->p.batch.n * sizeof *c->p.out,
      "kernels: as_run strategy=cpu", &c->all_ns, &c->all_threads);
}

static double gcups(double cells, double ns) { return ns > 0 ? cells / ns : 0; }

/* The cell's pairs (made): the one-thread variants interleaved, the peer,
 * then every thread. */
static int measure(bench_session *s, cell *c) {
  const int reps = s->opt.reps;
  size_t words = 0;
  for (size_t i = 0; i < c->p.batch.n; i++) {
    uint32_t la, lb;
    pair_tokens(&c->p, i, &la, &lb);
    size_t need = as_lcs_workspace_words(la, lb);
    words = need > words ? need : words;
  }
  run_ctx x = {c, NULL, {0}, 0};
  c->ns = calloc((size_t)VARIANTS * reps, sizeof *c->ns);
  x.work = malloc((words ? words : 1) * sizeof *x.work);
  int rc = 0;
  if (!c->ns || !x.work) {
    fprintf(stderr, "accelstrat-bench kernels: %s\n", as_strerror(AS_ENOMEM));
    rc = 1;
  } else {
    fprintf(stderr, "accelstrat-bench kernels: %s, %zu pairs\n", c->label,
            c->p.batch.n);
    rc = bench_interleave(VARIANTS, reps, run_variant, &x, c->ns);
  }
  free(x.work);
  bench_yardstick_free(&x.yard);
  if (rc) return 1;
  for (int v = 0; v < VARIANTS; v++)
    c->best[v] = bench_min(c->ns + v * reps, reps);
  memcpy(c->p.ref, c->p.out, c->p.batch.n * sizeof *c->p.out);
  run_peer(c, reps < 5 ? reps : 5);
  return run_all_threads(s, c);
}

/* Class k's pairs: about 2e8 cells (--quick: 2e6) of its length. */
static int make_class(bench_session *s, cell *c, int k) {
  const uint32_t len = class_len[k];
  const double cells = s->opt.quick ? 2e6 : 2e8;
  size_t n = (size_t)(cells / ((double)len * len)) + 1;
  snprintf(c->label, sizeof c->label, "%u", len);
  int rc = pairs_make(&c->p, len, n, s->opt.seed + (uint64_t)k);
  if (rc < 0)
    fprintf(stderr, "accelstrat-bench kernels: %s\n", as_strerror(rc));
  return rc < 0;
}

static void print_cell(bench_session *s, const cell *c) {
  const double cells = c->p.cells;
  const double kernel = gcups(cells, c->best[0]);
  char peer[64] = "not measured", peer_ratio[32] = "–";
  if (c->peer_s > 0) {
    double g = cells / (c->peer_s * 1e9);
    snprintf(peer, sizeof peer, "%.2f", g);
    snprintf(peer_ratio, sizeof peer_ratio, "%.2fx", kernel / g);
  }
  bench_printf(
      &s->text,
      "| %s | %zu | %.2f | %.2f | %.2fx | %s | %s | %.2f | %.2f (%d) |\n",
      c->label, c->p.batch.n, kernel, gcups(cells, c->best[2]),
      kernel / gcups(cells, c->best[2]), peer, peer_ratio,
      gcups(cells, c->best[1]),
      gcups(cells, c->all_ns) / (c->all_threads ? c->all_threads : 1),
      c->all_threads);
}

static void json_cell(bench_session *s, const cell *c) {
  bench_json *j = &s->json;
  const int reps = s->opt.reps;
  as__json_object_begin(j, NULL);
  as__json_string(j, "pairs_of", c->label);
  as__json_u64(j, "pairs", c->p.batch.n);
  as__json_double(j, "cells", c->p.cells);
  for (int v = 0; v < VARIANTS; v++) {
    as__json_object_begin(j, variant_name[v]);
    as__json_double(j, "best_gcups", gcups(c->p.cells, c->best[v]));
    bench_json_samples(j, "ns", c->ns + v * reps, reps);
    as__json_object_end(j);
  }
  as__json_object_begin(j, "rapidfuzz");
  if (c->peer_s > 0)
    as__json_double(j, "best_gcups", c->p.cells / (c->peer_s * 1e9));
  else
    as__json_null(j, "best_gcups");
  as__json_string(j, "note", c->peer_note);
  as__json_object_end(j);
  as__json_object_begin(j, "all_threads");
  as__json_i64(j, "threads", c->all_threads);
  as__json_double(j, "best_gcups", gcups(c->p.cells, c->all_ns));
  as__json_object_end(j);
  as__json_object_end(j);
}

/* One row: the cell measured, printed and in the JSON; 1 on failure. */
static int one_cell(bench_session *s, cell *c) {
  if (measure(s, c)) return 1;
  print_cell(s, c);
  json_cell(s, c);
  fflush(stdout);
  return 0;
}

static void cell_free(cell *c) {
  pairs_free(&c->p);
  free(c->ns);
  memset(c, 0, sizeof *c);
}

/* The align batches of --replay together, one row; 1 on failure. */
static int replayed_row(bench_session *s, const bench_workload *w, int n) {
  cell c;
  int batches;
  memset(&c, 0, sizeof c);
  int failed = pairs_of(&c.p, w, n, &batches) < 0;
  if (!failed && c.p.batch.n) {
    snprintf(c.label, sizeof c.label, "replay: %d align batch%s", batches,
             batches == 1 ? "" : "es");
    failed = one_cell(s, &c);
  }
  cell_free(&c);
  return failed;
}

int bench_kernels(int argc, char **argv) {
  bench_session s;
  int status;
  if (!bench_begin(&s, "kernels", argc, argv, usage, 0, &status)) return status;
  bench_printf(&s.text, "\n## kernels: align per length class, GCUPS\n\n");
  bench_printf(&s.text,
               "One thread unless said; best of %d interleaved rounds; "
               "near-duplicate pairs (1 token in 10 replaced, alphabets of "
               "40-300)%s; then the align batches of --replay together, if "
               "any.\n\n",
               s.opt.reps,
               s.opt.quick ? " (--quick: few pairs, a smoke test)" : "");
  bench_printf(&s.text,
               "| pairs of | pairs | kernel | yardstick | kernel / yardstick | "
               "RapidFuzz | kernel / RapidFuzz | as_lcs | as_run, per core "
               "(threads) |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  as__json_array_begin(&s.json, "cells");
  int failed = 0;
  char peer[160] = "";
  for (int k = 0; k < CLASSES && !failed; k++) {
    cell c;
    memset(&c, 0, sizeof c);
    failed = make_class(&s, &c, k) || one_cell(&s, &c);
    if (k == 0) snprintf(peer, sizeof peer, "%s", c.peer_note);
    cell_free(&c);
  }
  bench_workload *w = NULL;
  int n = failed || !s.opt.replay ? 0 : bench_replays(&s.opt, &w);
  failed |= n < 0 || replayed_row(&s, w, n);
  if (n > 0) bench_workloads_free(w, n);
  as__json_array_end(&s.json);
  if (!failed) bench_printf(&s.text, "\nRapidFuzz: %s.\n", peer);
  failed = failed || bench_kernels_filter(&s);
  if (!failed) status = 0;
  return bench_end(&s, status);
}
