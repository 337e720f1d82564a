/* asp_run: one TU's analysis from the host's module to its outputs (records,
 * remarks, report, metrics, dumped batches). The pass that calls it is in
 * shim.cpp. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <accelstrat/accelstrat.h>

#include "analyze.h"
#include "batchfile.h"
#include "indexrec.h"
#include "support/fnv.h"
#include "support/fsutil.h"
#include "support/clock.h"
#include "location.h"
#include "module.h"
#include "output.h"
#include "plugin.h"

static void format_location(const asp_location *loc, char *buf, size_t len) {
  if (loc->line && loc->col)
    snprintf(buf, len, "%s:%u:%u", loc->file, loc->line, loc->col);
  else if (loc->line)
    snprintf(buf, len, "%s:%u", loc->file, loc->line);
  else
    snprintf(buf, len, "%s", loc->file);
}

/* Names and locations of the functions that appear in pairs. */
static int fill_views(LLVMModuleRef m, const asp_module *mod,
                      const asp_result *res, const asp_host *host,
                      asp_view *views) {
  asp_locator lc = {0};
  int rc = 0;
  for (size_t i = 0; i < res->n_pairs && rc == 0; i++) {
    const uint32_t ends[2] = {res->pairs[i].f, res->pairs[i].g};
    for (int e = 0; e < 2; e++) {
      asp_view *v = &views[ends[e]];
      const asp_func *f = &mod->funcs[ends[e]];
      if (v->name) continue;
      v->name = host->demangle(f->name, f->name_len);
      if (!v->name) {
        rc = -1;
        break;
      }
      asp_locate(&lc, m, f, v->name, &v->loc);
    }
  }
  asp_locator_free(&lc);
  return rc;
}

static void emit_remarks(const asp_module *mod, const asp_result *res,
                         const asp_view *views, const asp_host *host) {
  for (size_t i = 0; i < res->n_pairs; i++) {
    const asp_pair *p = &res->pairs[i];
    const asp_view *f = &views[p->f], *g = &views[p->g];
    char where[4200], msg[8800];
    format_location(&g->loc, where, sizeof where);
    if (p->identical)
      snprintf(msg, sizeof msg, "'%s' is identical to '%s' (%s)", f->name,
               g->name, where);
    else {
      char differs[160];
      asp_pair_differences(p, differs, sizeof differs);
      snprintf(msg, sizeof msg, "'%s' is %u%% similar to '%s' (%s); %s",
               f->name, asp_pair_percent(p), g->name, where, differs);
    }
    host->remark(host->ctx, mod->funcs[p->f].fn, f->loc.line, f->loc.col, msg);
  }
  /* One note per TU for all fallbacks: the first cause, and the total. An
   * out-of-memory answered by a smaller chunk moved nothing: not a fallback. */
  const as_event *first = NULL;
  uint64_t moved = 0;
  unsigned events = 0;
  for (int b = 0; b < ASP_BATCHES; b++) {
    const as_report *rep = &res->batch[b];
    for (unsigned e = 0; e < rep->n_events; e++) {
      const as_event *ev = &rep->events[e];
      if (ev->cause == AS_EVENT_GPU_OOM && ev->tasks_moved == 0) continue;
      if (!first) first = ev;
      moved += ev->tasks_moved;
      events++;
    }
  }
  if (first) {
    char msg[512], strategy[32];
    snprintf(
        msg, sizeof msg,
        "strategy=%s fell back to the CPU (%s: %s); %u fallback%s, "
        "%llu task%s moved",
        as_strategy_format(res->batch[0].requested, strategy, sizeof strategy),
        as_event_cause_name(first->cause), first->detail, events,
        events == 1 ? "" : "s", (unsigned long long)moved,
        moved == 1 ? "" : "s");
    host->remark(host->ctx, NULL, 0, 0, msg);
    /* A strategy asked for and not met is a warning, remarks or not. */
    if (res->batch[0].requested.kind != AS_STRATEGY_AUTO)
      host->warning(host->ctx, msg);
  }
}

static int write_outputs(const asp_record *rec, const asp_options *opts,
                         const asp_host *host) {
  char msg[4200];
  if (opts->report[0] && asp_report_write(rec, opts->report) < 0) {
    snprintf(msg, sizeof msg, "cannot write report '%s': %s", opts->report,
             strerror(errno));
    host->error(host->ctx, msg);
    return -1;
  }
  if (opts->metrics[0] && asp_metrics_append(rec, opts->metrics) < 0) {
    snprintf(msg, sizeof msg, "cannot append metrics to '%s': %s",
             opts->metrics, strerror(errno));
    host->error(host->ctx, msg);
    return -1;
  }
  return 0;
}

/* ---- dump= ----------------------------------------------------------------
 * Every batch goes to DIR/<base>-<hash>-<pid>-<seq>-<kernel>.asb before it
 * runs: base is the TU's file name without its directories, hash 8 hex
 * digits of FNV-1a over its absolute path (so x.c of two directories stay
 * apart, and so does one TU's reruns: pid), seq counts the batches of this
 * process. A file that cannot be written is a warning, once per TU, and the
 * compile goes on. */

typedef struct dumper {
  const asp_host *host;
  const char *dir;
  char prefix[160]; /* <base>-<hash>-<pid> */
  int failed;       /* warned: the TU's later batches are not tried */
} dumper;

static void dump_prefix(const char *tu, char *buf, size_t len) {
  uint64_t h = AS_FNV_OFFSET;
  char cwd[4096];
  if (tu[0] != '/' && getcwd(cwd, sizeof cwd))
    h = as__fnv1a_str(as__fnv1a_str(h, cwd), "/");
  h = as__fnv1a_str(h, tu);
  const char *slash = strrchr(tu, '/');
  const char *base = slash ? slash + 1 : tu;
  /* The base is cut so that the whole name stays within NAME_MAX. */
  snprintf(buf, len, "%.100s-%08x-%ld", *base ? base : "tu",
           (unsigned)(h ^ h >> 32), (long)getpid());
}

static void dump_batch(void *ctx, const as_batch *b) {
  static atomic_uint seq;
  dumper *d = ctx;
  if (d->failed) return;
  char path[4400], err[4600], msg[4800];
  snprintf(path, sizeof path, "%s/%s-%u-%s.asb", d->dir, d->prefix,
           atomic_fetch_add(&seq, 1), b->kernel->name);
  if (as__batch_write(b, path, err, sizeof err) < 0) {
    snprintf(msg, sizeof msg, "cannot dump the %s batch: %s", b->kernel->name,
             err);
    d->host->warning(d->host->ctx, msg);
    d->failed = 1;
  }
}

/* Ready to dump into opts->dump, or failed (warned) when its directory
 * cannot be had. */
static void dump_init(dumper *d, const char *tu, const asp_options *opts,
                      const asp_host *host) {
  *d = (dumper){host, opts->dump, "", 0};
  if (as__mkdirs(opts->dump, 0777) < 0) {
    char msg[4400];
    snprintf(msg, sizeof msg,
             "cannot create dump directory '%s': %s; no batch dumped",
             opts->dump, strerror(errno));
    host->warning(host->ctx, msg);
    d->failed = 1;
    return;
  }
  dump_prefix(tu, d->prefix, sizeof d->prefix);
  /* What a killed compile of this TU left: temporaries .<base>-<hash>-*. */
  char stale[sizeof d->prefix + 1];
  snprintf(stale, sizeof stale, ".%.*s",
           (int)(strrchr(d->prefix, '-') - d->prefix + 1), d->prefix);
  as__remove_stale_temps_in(opts->dump, stale);
}

uint64_t asp_process_cpu_ns(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 0;
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Whether anything reads the TU's findings: remarks shown or recorded,
 * report=, metrics= or dump=, or a strategy asked for (whose fallback is a
 * warning). Otherwise, with index= alone, say, the search is not run: its
 * pairs would go nowhere, and on a TU of thousands of similar functions
 * they cost far more than the compile. */
static int findings_wanted(const asp_options *opts, const asp_host *host) {
  return opts->report[0] || opts->metrics[0] || opts->dump[0] ||
         opts->runtime.strategy.kind != AS_STRATEGY_AUTO ||
         !host->remarks_wanted || host->remarks_wanted(host->ctx);
}

int asp_run(LLVMModuleRef m, const asp_options *opts, const asp_host *host) {
  const uint64_t start = as__now_ns(), start_cpu = asp_process_cpu_ns();
  char err[1024] = "";
  asp_module mod = {0};
  asp_result res = {0};
  asp_view *views = NULL;
  as_executor *ex = NULL;
  size_t n;
  const char *tu = LLVMGetSourceFileName(m, &n);
  char tu_name[4096];
  snprintf(tu_name, sizeof tu_name, "%.*s", (int)n, tu);
  dumper dump = {0};
  int changed = 0;
  const int wanted = findings_wanted(opts, host);
  if (!wanted && !opts->index[0]) return 0;
  if (wanted && opts->dump[0]) dump_init(&dump, tu_name, opts, host);
  int rc = asp_module_load(m, &mod);
  if (rc == 0) asp_take_frontend_sites(&mod);
  if (wanted) {
    if (rc == 0) rc = as_executor_create(&opts->runtime, &ex);
    if (rc == 0) rc = as_executor_inject(ex, opts->inject, opts->inject_chunk);
    if (rc == 0)
      rc = asp_analyze(&mod, opts, ex, opts->dump[0] ? dump_batch : NULL, &dump,
                       &res, err, sizeof err);
    if (rc == 0) {
      views = calloc(mod.n ? mod.n : 1, sizeof *views);
      rc = views ? fill_views(m, &mod, &res, host, views) : -1;
    }
  }
  if (rc == 0) {
    if (wanted) {
      emit_remarks(&mod, &res, views, host);
      const uint64_t frontend = asp_frontend_ns();
      asp_record rec = {
          tu_name,  opts,
          &mod,     &res,
          views,    as__now_ns() - start + frontend,
          frontend, asp_process_cpu_ns() - start_cpu + asp_frontend_cpu_ns()};
      rc = write_outputs(&rec, opts, host);
    }
    /* Last: index=object adds the record to the module. */
    if (rc == 0 && opts->index[0])
      changed = asp_index_record(m, &mod, tu_name, opts->index, host);
  } else {
    char msg[4600];
    snprintf(msg, sizeof msg, "%s: %s", tu_name,
             err[0] ? err : "out of memory");
    host->error(host->ctx, msg);
  }
  for (size_t i = 0; views && i < mod.n; i++) free(views[i].name);
  free(views);
  asp_result_free(&res);
  as_executor_destroy(ex);
  asp_module_free(&mod);
  return rc < 0 ? -1 : changed;
}
