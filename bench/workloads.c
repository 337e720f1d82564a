/* accelstrat-bench's workloads (bench.h): the reference document's four
 * synthetic ones, the batch files of --replay, and the table of rows a
 * subcommand makes over them. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "batchfile.h"
#include "bench.h"

static const struct {
  const char *name;
  size_t tasks, quick_tasks;
} reference_workloads[BENCH_WORKLOADS] = {{"Small", 5, 2},
                                          {"Medium", 100, 8},
                                          {"Large", 1000, 16},
                                          {"XL", 10000, 32}};

static void workload_totals(bench_workload *w) {
  const as_batch *b = &w->s.batch;
  w->out_bytes = b->n * b->kernel->out_size;
  w->work = 0;
  for (size_t i = 0; i < b->n; i++)
    w->work += b->kernel->cost ? b->kernel->cost(b, i) : 1;
}

int bench_workload_align(bench_workload *w, const char *name, size_t tasks,
                         int quick, uint64_t seed) {
  memset(w, 0, sizeof *w);
  const as_synth_shape shape = {.n = tasks,
                                .min_len = quick ? 64 : BENCH_ALIGN_MIN,
                                .max_len = quick ? 256 : BENCH_ALIGN_MAX,
                                .every = BENCH_ALIGN_EVERY};
  int rc = as__synth_make(&w->s, &as_kernel_align, &shape, seed);
  if (rc < 0) return rc;
  snprintf(w->name, sizeof w->name, "%s", name);
  snprintf(w->source, sizeof w->source,
           "synthetic align, %zu tasks, streams of %u-%u tokens, one edit in "
           "%u, seed %llu",
           tasks, shape.min_len, shape.max_len, shape.every,
           (unsigned long long)seed);
  workload_totals(w);
  return 0;
}

const char *bench_reference_name(int i) { return reference_workloads[i].name; }

size_t bench_reference_tasks(int i, int quick) {
  return quick ? reference_workloads[i].quick_tasks
               : reference_workloads[i].tasks;
}

int bench_workload_reference(bench_workload *w, int i, const bench_options *o) {
  return bench_workload_align(w, bench_reference_name(i),
                              bench_reference_tasks(i, o->quick), o->quick,
                              o->seed);
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file in dir, sorted; *names owned by the caller. */
static int list_dir(const char *dir, char ***names) {
  DIR *d = opendir(dir);
  if (!d) return -1;
  int n = 0, cap = 0;
  char **v = NULL;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    if (n == cap) {
      char **nv = realloc(v, (size_t)(cap = cap ? 2 * cap : 16) * sizeof *v);
      if (!nv) break;
      v = nv;
    }
    if (!(v[n] = strdup(e->d_name))) break;
    n++;
  }
  closedir(d);
  qsort(v, (size_t)n, sizeof *v, by_name);
  *names = v;
  return n;
}

/* The first `synth` reference workloads (all when synth is
 * BENCH_WORKLOADS, none when 0), then every batch file of --replay. */
static int load_workloads(const bench_options *o, int synth,
                          bench_workload **out) {
  char **files = NULL;
  int n_files = 0;
  if (o->replay && (n_files = list_dir(o->replay, &files)) < 0) {
    fprintf(stderr, "accelstrat-bench: --replay %s: %s\n", o->replay,
            strerror(errno));
    return AS_EIO;
  }
  if (o->replay && n_files == 0)
    fprintf(stderr, "accelstrat-bench: --replay %s: no batch files there\n",
            o->replay);
  bench_workload *w = calloc((size_t)(synth + n_files) + 1, sizeof *w);
  int n = 0, rc = w ? 0 : AS_ENOMEM;
  for (int i = 0; rc == 0 && i < synth; i++) {
    rc = bench_workload_reference(&w[n], i, o);
    if (rc == 0) n++;
  }
  for (int i = 0; rc == 0 && i < n_files; i++) {
    char path[PATH_MAX], err[256];
    snprintf(path, sizeof path, "%s/%s", o->replay, files[i]);
    memset(&w[n], 0, sizeof w[n]);
    rc = as__batch_read(path, &w[n].s, err, sizeof err);
    if (rc < 0) {
      fprintf(stderr, "accelstrat-bench: %s\n", err);
      break;
    }
    snprintf(w[n].name, sizeof w[n].name, "%s", files[i]);
    snprintf(w[n].source, sizeof w[n].source,
             "replay of %.140s (%s, %zu tasks)", path,
             w[n].s.batch.kernel->name, w[n].s.batch.n);
    workload_totals(&w[n]);
    n++;
  }
  for (int i = 0; i < n_files; i++) free(files[i]);
  free(files);
  if (rc < 0) {
    if (rc != AS_EINVAL && rc != AS_EIO)
      fprintf(stderr, "accelstrat-bench: workloads: %s\n", as_strerror(rc));
    bench_workloads_free(w, n);
    return rc;
  }
  *out = w;
  return n;
}

int bench_workloads(const bench_options *o, bench_workload **out) {
  return load_workloads(o, BENCH_WORKLOADS, out);
}

int bench_replays(const bench_options *o, bench_workload **out) {
  return load_workloads(o, 0, out);
}

void bench_workloads_free(bench_workload *w, int n) {
  for (int i = 0; w && i < n; i++) as__synth_free(&w[i].s);
  free(w);
}

void bench_workload_json(bench_json *j, const char *key,
                         const bench_workload *w) {
  as__json_object_begin(j, key);
  as__json_string(j, "name", w->name);
  as__json_string(j, "source", w->source);
  as__json_string(j, "kernel", w->s.batch.kernel->name);
  as__json_u64(j, "tasks", w->s.batch.n);
  as__json_u64(j, "work", w->work);
  as__json_u64(j, "input_bytes",
               w->s.batch.offsets ? w->s.batch.offsets[w->s.batch.n] : 0);
  as__json_u64(j, "output_bytes", w->out_bytes);
  as__json_object_end(j);
}

int bench_rows(bench_session *s, const bench_workload *w, int n,
               bench_row_fn row, void *ctx) {
  as__json_array_begin(&s->json, "workloads");
  int i = 0;
  for (; i < n; i++) {
    int rc = row(s, i, ctx);
    if (rc < 0)
      fprintf(stderr, "accelstrat-bench %s: %s: %s\n", s->name, w[i].name,
              as_strerror(rc));
    if (rc) break;
    fflush(stdout);
  }
  as__json_array_end(&s->json);
  return i;
}
