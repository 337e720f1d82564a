/* accelstrat-report: identical and near-duplicate functions across a whole
 * project, from the index records the plugin's index= key writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <accelstrat/accelstrat.h>
#include <accelstrat/version.h>

#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include "baseline.h"
#include "compiles.h"
#include "findings.h"
#include "index/index.h"
#include "output.h"
#include "progress.h"
#include "project.h"
#include "support/parse.h"

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_ERROR = 2 };
enum fail_on { FAIL_NONE, FAIL_IDENTICAL, FAIL_SIMILAR };

typedef struct options {
  rp_settings s;
  as_config runtime;
  rp_format format;
  enum fail_on fail_on;
  const char *output;   /* NULL: stdout */
  const char *baseline; /* NULL: none */
  const char **exclude;
  const char *build_dir; /* -p: run the compile database's compiles */
  const char *compiler, *plugin;
  long jobs;
  int stats;
  rp_progress_mode progress;
  char **inputs;
  int n_inputs;
} options;

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: accelstrat-report [options] INPUT...\n"
      "Identical and near-duplicate functions across a project, from the\n"
      "records the plugin writes with "
      "-fplugin-arg-accelstrat-index=object|DIR.\n"
      "INPUT: an object, an archive, a record file (.asx) or a directory\n"
      "(searched recursively: objects and an index=DIR alike).\n"
      "options:\n"
      "  --min-similarity=X    report near-duplicates at least this similar "
      "(0<X<=1; 0.80)\n"
      "  --min-instructions=N  analyse functions of at least N instructions "
      "(16)\n"
      "  --system-headers      analyse functions defined in system headers "
      "too\n"
      "  --search=filter|exhaustive  candidates from the exact filter, or "
      "every pair\n"
      "  --strategy=S, --threads=N, --fallback=on|off  the runtime's, as in "
      "the plugin\n"
      "  --format=text|json|sarif|html  output (text: file:line:col: as "
      "compilers\n"
      "                        print; html: one page, the sources side by "
      "side)\n"
      "  -o FILE               write the output to FILE\n"
      "  --fail-on=none|identical|similar  exit 1 when such findings exist "
      "(none)\n"
      "  --stats               print each batch's strategy decision on stderr\n"
      "  --progress=auto|always|never  a progress line on stderr (auto: on a "
      "terminal)\n"
      "  -p BUILD_DIR          run BUILD_DIR/compile_commands.json's compiles "
      "with\n"
      "                        the plugin and report on them (under make -jN, "
      "one\n"
      "                        jobserver token per compile beyond the first)\n"
      "  -j N                  -p's compiles at once (all CPUs)\n"
      "  --compiler CC, --plugin SO  -p's compiler (clang-19) and plugin\n"
      "exit status: 0 clean, 1 findings that fail, 2 errors\n");
}

static int bad(const char *arg, const char *accepted) {
  fprintf(stderr, "accelstrat-report: error: invalid option '%s'%s%s\n", arg,
          accepted ? "; accepted: " : "", accepted ? accepted : "");
  return -1;
}

/* One --key=value option. Returns 0, 1 (--help) or -1 (said). */
static int option(options *o, const char *arg) {
  const char *eq = strchr(arg, '=');
  const char *v = eq ? eq + 1 : "";
  const size_t klen = eq ? (size_t)(eq - arg) : strlen(arg);
  char key[64];
  snprintf(key, sizeof key, "%.*s", (int)(klen < 63 ? klen : 63), arg);
  double x;
  long n;
  if (strcmp(key, "--help") == 0) return 1;
  if (strcmp(key, "--min-similarity") == 0)
    return as__parse_double(v, &x) == 0 && x > 0 && x <= 1
               ? (o->s.min_similarity = x, 0)
               : bad(arg, "X, 0<X<=1");
  if (strcmp(key, "--min-instructions") == 0)
    return as__parse_long(v, &n) == 0 && n >= 1 && n <= 100000000
               ? (o->s.min_instructions = (unsigned)n, 0)
               : bad(arg, "N, 1<=N<=100000000");
  if (strcmp(arg, "--system-headers") == 0) return o->s.include_system = 1, 0;
  if (strcmp(arg, "--stats") == 0) return o->stats = 1, 0;
  if (strcmp(key, "--progress") == 0)
    return rp_progress_parse(v, &o->progress) == 0
               ? 0
               : bad(arg, "auto|always|never");
  if (strcmp(key, "--search") == 0) {
    if (strcmp(v, "filter") && strcmp(v, "exhaustive"))
      return bad(arg, "filter|exhaustive");
    return o->s.exhaustive = strcmp(v, "exhaustive") == 0, 0;
  }
  if (strcmp(key, "--format") == 0) {
    static const char *const names[] = {"text", "json", "sarif", "html"};
    for (int i = 0; i < 4; i++)
      if (strcmp(v, names[i]) == 0) return o->format = (rp_format)i, 0;
    return bad(arg, "text|json|sarif|html");
  }
  if (strcmp(key, "--fail-on") == 0) {
    static const char *const names[] = {"none", "identical", "similar"};
    for (int i = 0; i < 3; i++)
      if (strcmp(v, names[i]) == 0) return o->fail_on = (enum fail_on)i, 0;
    return bad(arg, "none|identical|similar");
  }
  if (strcmp(key, "--strategy") == 0 || strcmp(key, "--threads") == 0 ||
      strcmp(key, "--fallback") == 0) {
    char err[512];
    if (as_config_set(&o->runtime, key + 2, v, err, sizeof err) < 0) {
      fprintf(stderr, "accelstrat-report: error: %s\n", err);
      return -1;
    }
    return 0;
  }
  return bad(arg, NULL);
}

static int parse(options *o, int argc, char **argv) {
  o->s = (rp_settings){.min_similarity = 0.80, .min_instructions = 16};
  as_config_defaults(&o->runtime);
  o->inputs = argv + 1;
  o->n_inputs = 0;
  o->exclude = calloc((size_t)argc, sizeof *o->exclude);
  o->s.exclude = o->exclude;
  if (!o->exclude) return bad("(out of memory)", NULL);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int rc = 0;
    if (strcmp(a, "-o") == 0 || strcmp(a, "--baseline") == 0 ||
        strcmp(a, "--exclude") == 0 || strcmp(a, "-p") == 0 ||
        strcmp(a, "-j") == 0 || strcmp(a, "--compiler") == 0 ||
        strcmp(a, "--plugin") == 0) {
      if (i + 1 == argc) return bad(a, "a value after it");
      const char *v = argv[++i];
      if (strcmp(a, "-o") == 0)
        o->output = v;
      else if (strcmp(a, "--baseline") == 0)
        o->baseline = v;
      else if (strcmp(a, "--exclude") == 0)
        o->exclude[o->s.n_exclude++] = v;
      else if (strcmp(a, "-p") == 0)
        o->build_dir = v;
      else if (strcmp(a, "--compiler") == 0)
        o->compiler = v;
      else if (strcmp(a, "--plugin") == 0)
        o->plugin = v;
      else if (as__parse_long(v, &o->jobs) < 0 || o->jobs < 1 || o->jobs > 4096)
        return bad(v, "-j N, 1<=N<=4096");
    } else if (strcmp(a, "--version") == 0) {
      printf("accelstrat-report %s\n", AS_VERSION_STRING);
      return 1;
    } else if (a[0] == '-' && a[1]) {
      rc = option(o, a);
    } else {
      o->inputs[o->n_inputs++] = argv[i];
    }
    if (rc) {
      if (rc > 0) usage(stdout);
      return rc;
    }
  }
  if (o->n_inputs == 0 && !o->build_dir) {
    fprintf(stderr, "accelstrat-report: error: no input; try --help\n");
    return -1;
  }
  return 0;
}

typedef struct gather {
  rp_project *p;
  int failed;
  rp_progress *bar; /* the TUs read */
  size_t read;
} gather;

static void found(void *ctx, const char *origin, asx_tu *tu) {
  gather *g = ctx;
  if (rp_add_tu(g->p, origin, tu) < 0) g->failed = 1;
  rp_progress_set(g->bar, ++g->read, 0);
}

static void warn(void *ctx, const char *origin, const char *msg) {
  rp_progress_clear(((gather *)ctx)->bar);
  fprintf(stderr, "accelstrat-report: warning: %s: %s\n", origin, msg);
}

/* --stats: each batch's strategy decision and fallbacks as it ends. */
typedef struct batch_stats {
  size_t n[2]; /* filter, align batches seen */
  rp_progress *bar;
} batch_stats;

/* The search's progress: queries searched, candidates aligned. */
static void searched(void *ctx, size_t done, size_t total) {
  rp_progress_stage(((batch_stats *)ctx)->bar, done, total);
}

static void aligned(void *ctx, size_t done, size_t candidates) {
  rp_progress_set(((batch_stats *)ctx)->bar, done, candidates);
}

static void print_batch(void *ctx, const as_batch *b, const as_report *r) {
  batch_stats *st = ctx;
  rp_progress_clear(st->bar);
  const int align = b->kernel == &as_kernel_align;
  char chosen[32];
  as_strategy_format(r->chosen, chosen, sizeof chosen);
  fprintf(stderr,
          "accelstrat-report: %s batch %zu: %zu tasks; chosen %s, %d "
          "thread%s, cpu %llu gpu %llu tasks; %s\n",
          b->kernel->name, ++st->n[align], b->n, chosen, r->threads,
          r->threads == 1 ? "" : "s",
          (unsigned long long)r->tasks_on[AS_DEVICE_CPU],
          (unsigned long long)r->tasks_on[AS_DEVICE_GPU],
          r->reason[0] ? r->reason : "not run");
  for (unsigned e = 0; e < r->n_events && e < AS_MAX_EVENTS; e++)
    fprintf(stderr,
            "accelstrat-report: %s batch %zu: fallback: %s at chunk %lld, "
            "%llu tasks to the CPU: %s\n",
            b->kernel->name, st->n[align],
            as_event_cause_name(r->events[e].cause),
            (long long)r->events[e].chunk,
            (unsigned long long)r->events[e].tasks_moved, r->events[e].detail);
}

static void print_stats(const rp_project *p, const rp_findings *fd) {
  fprintf(stderr,
          "accelstrat-report: %zu TUs (%zu replaced by a later compile, %zu "
          "configure checks left out), %zu functions, %zu analysed, %zu "
          "representatives, %zu candidates, %zu pairs; %zu filter and %zu "
          "align batches\n",
          p->n_tus, p->replaced, p->skipped_configure, p->n_fns, fd->analysed,
          fd->representatives, fd->candidates, fd->n_pairs, fd->filter_batches,
          fd->align_batches);
}

/* The plugin beside this program: BINDIR/../LIBDIR/libaccelstrat.so. */
static void default_plugin(char *buf, size_t len) {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  self[n > 0 ? n : 0] = '\0';
  char *slash = strrchr(self, '/');
  if (slash) *slash = '\0';
  snprintf(buf, len, "%s/%s/libaccelstrat.so", self, AS_BIN_TO_LIB);
}

/* Removes the records of -p's temporary index and the directory. */
static void remove_index(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char path[PATH_MAX + 300];
  while (d && (e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    unlink(path);
  }
  if (d) closedir(d);
  rmdir(dir);
}

/* -p: the compiles run into a temporary index directory (index[]).
 * Returns the number that failed, or -1 (said). */
static int run_database(const options *o, rp_progress *bar, char *index,
                        size_t len) {
  const char *tmp = getenv("TMPDIR");
  snprintf(index, len, "%s/accelstrat-report-XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(index)) {
    fprintf(stderr, "accelstrat-report: error: cannot create %s\n", index);
    index[0] = '\0';
    return -1;
  }
  char plugin[PATH_MAX + 64], err[4400];
  default_plugin(plugin, sizeof plugin);
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  int stopped = 0;
  rp_compiles c = {o->build_dir,
                   o->compiler ? o->compiler : AS_DEFAULT_CLANG,
                   o->plugin ? o->plugin : plugin,
                   index,
                   (int)(o->jobs    ? o->jobs
                         : cpus > 0 ? cpus
                                    : 1),
                   .progress = bar,
                   .stopped = &stopped};
#if AS_HAVE_JANSSON
  int failed = rp_run_compiles(&c, err, sizeof err);
#else
  int failed = -1;
  (void)c;
  snprintf(err, sizeof err, "-p: built without jansson (libjansson-dev)");
#endif
  if (failed < 0) fprintf(stderr, "accelstrat-report: error: %s\n", err);
  if (stopped) { /* every token is back: die of the signal, as make expects */
    remove_index(index);
    signal(stopped, SIG_DFL);
    raise(stopped);
  }
  return failed;
}

/* rp_find with the search's progress line (w's ctx has the bar). */
static int find(const options *o, const rp_project *p, as_executor *ex,
                const rp_watch *w, rp_findings *fd, char *err, size_t len) {
  rp_progress *bar = ((batch_stats *)w->ctx)->bar;
  rp_progress_begin(bar, "search", "pairs aligned", 0);
  int rc = rp_find(p, &o->s, ex, bar->on || o->stats ? w : NULL, fd, err, len);
  rp_progress_end(bar);
  return rc;
}

/* Leaves out the groups the baseline at path already has. */
static int drop_baseline(const rp_project *p, const char *path, rp_findings *fd,
                         char *err, size_t errlen) {
  rp_baseline b;
  if (rp_baseline_load(path, &b, err, errlen) < 0) return -1;
  size_t kept = 0, known = 0;
  for (size_t i = 0; i < fd->n_groups; i++) {
    char print[4400];
    rp_fingerprint(p, &fd->groups[i], print, sizeof print);
    if (rp_baseline_has(&b, print)) {
      free(fd->groups[i].members);
      known++;
    } else {
      fd->groups[kept++] = fd->groups[i];
    }
  }
  fd->n_groups = kept;
  fprintf(stderr, "accelstrat-report: %zu finding%s in the baseline left out\n",
          known, known == 1 ? "" : "s");
  rp_baseline_free(&b);
  return 0;
}

static int fails(const options *o, const rp_findings *fd) {
  for (size_t i = 0; i < fd->n_groups; i++)
    if (o->fail_on == FAIL_SIMILAR ||
        (o->fail_on == FAIL_IDENTICAL && fd->groups[i].identical))
      return 1;
  return 0;
}

int main(int argc, char **argv) {
  options o = {0};
  int rc = parse(&o, argc, argv);
  if (rc) { /* --help, --version or a bad option: nothing else was made */
    free(o.exclude);
    return rc > 0 ? EXIT_CLEAN : EXIT_ERROR;
  }
  rp_project p = {0};
  rp_progress bar;
  rp_progress_init(&bar, o.progress, stderr);
  gather g = {.p = &p, .bar = &bar};
  int status = EXIT_CLEAN;
  char index[PATH_MAX] = "";
  if (o.build_dir) {
    int failed = run_database(&o, &bar, index, sizeof index);
    if (failed) status = EXIT_ERROR;
    if (failed < 0) {
      if (index[0]) remove_index(index);
      free(o.exclude);
      return EXIT_ERROR;
    }
  }
  rp_progress_begin(&bar, "reading", "TUs", 0);
  if (o.build_dir && asx_scan(index, found, warn, &g) < 0) status = EXIT_ERROR;
  for (int i = 0; i < o.n_inputs; i++)
    if (asx_scan(o.inputs[i], found, warn, &g) < 0) status = EXIT_ERROR;
  rp_progress_end(&bar);
  as_executor *ex = NULL;
  rp_findings fd = {0};
  batch_stats bs = {{0, 0}, &bar};
  const rp_watch watch = {.batch = o.stats ? print_batch : NULL,
                          .progress = searched,
                          .ctx = &bs,
                          .aligned = aligned};
  char err[1024] = "";
  if (g.failed || rp_finish(&p) < 0) {
    snprintf(err, sizeof err, "out of memory");
  } else if ((rc = as_executor_create(&o.runtime, &ex)) < 0) {
    snprintf(err, sizeof err, "no executor: %s", as_strerror(rc));
  } else if ((rc = find(&o, &p, ex, &watch, &fd, err, sizeof err)) == 0 &&
             (!o.baseline ||
              drop_baseline(&p, o.baseline, &fd, err, sizeof err) == 0)) {
    FILE *out = o.output ? fopen(o.output, "w") : stdout;
    if (!out) {
      snprintf(err, sizeof err, "cannot write '%s'", o.output);
    } else {
      rp_write(out, o.format, &p, &o.s, &fd);
      if ((o.output ? fclose(out) : fflush(out)) != 0)
        snprintf(err, sizeof err, "cannot write the output");
    }
    if (o.stats) print_stats(&p, &fd);
  }
  if (err[0]) {
    fprintf(stderr, "accelstrat-report: error: %s\n", err);
    status = EXIT_ERROR;
  } else if (status == EXIT_CLEAN && fails(&o, &fd)) {
    fprintf(stderr, "accelstrat-report: findings that fail (--fail-on=%s)\n",
            o.fail_on == FAIL_IDENTICAL ? "identical" : "similar");
    status = EXIT_FINDINGS;
  }
  rp_findings_free(&fd);
  as_executor_destroy(ex);
  rp_project_free(&p);
  if (index[0]) remove_index(index);
  free(o.exclude);
  return status;
}
