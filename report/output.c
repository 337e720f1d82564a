/* The report's outputs (output.h). */
#include "output.h"

#include <accelstrat/version.h>

#include "baseline.h"
#include "search/search.h"
#include "support/json.h"

const char *rp_kind(const rp_group *g) {
  return g->identical ? "identical" : "similar";
}

void rp_differs(const rp_member *m, char *buf, size_t len) {
  ass_differences(m->total - 2 * m->lcs, m->consts_differ, m->callees_differ,
                  buf, len);
}

void rp_percent_range(const rp_group *g, unsigned *lo, unsigned *hi) {
  *lo = 100, *hi = 0;
  for (size_t i = 1; i < g->n; i++) {
    unsigned pc = rp_percent(g->members[i].lcs, g->members[i].total);
    if (pc < *lo) *lo = pc;
    if (pc > *hi) *hi = pc;
  }
}

void rp_where(const asx_func *f, char *buf, size_t len) {
  const char *file = f->file[0] ? f->file : "<unknown>";
  if (f->line && f->col)
    snprintf(buf, len, "%s:%u:%u", file, f->line, f->col);
  else if (f->line)
    snprintf(buf, len, "%s:%u", file, f->line);
  else
    snprintf(buf, len, "%s", file);
}

void rp_headline(FILE *out, const rp_project *p, const rp_group *g) {
  const asx_func *first = p->fns[g->members[0].fn].f;
  if (g->identical) {
    fprintf(out,
            "'%s' has %zu identical cop%s (merging saves about %llu "
            "instructions)",
            first->name, g->n - 1, g->n == 2 ? "y" : "ies",
            (unsigned long long)g->saving);
  } else {
    unsigned lo, hi;
    char range[32];
    rp_percent_range(g, &lo, &hi);
    if (lo == hi)
      snprintf(range, sizeof range, "%u%%", hi);
    else
      snprintf(range, sizeof range, "%u%% to %u%%", hi, lo);
    fprintf(out,
            "'%s' has %zu near-duplicate%s, %s similar (merging shares about "
            "%llu instructions)",
            first->name, g->n - 1, g->n == 2 ? "" : "s", range,
            (unsigned long long)g->saving);
  }
}

void rp_tally(FILE *out, const rp_project *p, const rp_findings *fd) {
  size_t identical = 0;
  for (size_t i = 0; i < fd->n_groups; i++)
    identical += fd->groups[i].identical;
  fprintf(out,
          "%zu group%s (%zu identical, %zu similar) in %zu functions of %zu "
          "TU%s",
          fd->n_groups, fd->n_groups == 1 ? "" : "s", identical,
          fd->n_groups - identical, fd->analysed, p->n_tus,
          p->n_tus == 1 ? "" : "s");
}

static void text_group(FILE *out, const rp_project *p, const rp_group *g) {
  const asx_func *first = p->fns[g->members[0].fn].f;
  char at[4200], differs[160];
  rp_where(first, at, sizeof at);
  fprintf(out, "%s: warning: ", at);
  rp_headline(out, p, g);
  fprintf(out, " [%s]\n", rp_kind(g));
  for (size_t i = 1; i < g->n; i++) {
    const rp_member *m = &g->members[i];
    const rp_fn *fn = &p->fns[m->fn];
    rp_where(fn->f, at, sizeof at);
    if (g->identical) {
      fprintf(out, "%s: note: '%s' is identical to '%s'", at, fn->f->name,
              first->name);
    } else {
      rp_differs(m, differs, sizeof differs);
      fprintf(out, "%s: note: '%s' is %u%% similar to '%s'; %s", at,
              fn->f->name, rp_percent(m->lcs, m->total), first->name, differs);
    }
    if (fn->n_tus > 1) fprintf(out, " (defined in %u TUs)", fn->n_tus);
    fputc('\n', out);
  }
}

static void write_text(FILE *out, const rp_project *p, const rp_findings *fd) {
  for (size_t i = 0; i < fd->n_groups; i++) text_group(out, p, &fd->groups[i]);
  rp_tally(out, p, fd);
  fputc('\n', out);
}

static void json_function(as_json *j, const rp_project *p, uint32_t i) {
  const rp_fn *fn = &p->fns[i];
  as__json_string(j, "name", fn->f->name);
  as__json_string(j, "symbol", fn->f->symbol);
  as__json_string(j, "file", fn->f->file);
  as__json_u64(j, "line", fn->f->line);
  as__json_u64(j, "col", fn->f->col);
  as__json_u64(j, "instructions", fn->f->n_insts);
  as__json_u64(j, "tus", fn->n_tus);
  as__json_string(j, "tu", p->tus[fn->tu].tu.source);
}

static void json_group(as_json *j, const rp_project *p, const rp_group *g) {
  char print[4400];
  rp_fingerprint(p, g, print, sizeof print);
  as__json_object_begin(j, NULL);
  as__json_string(j, "kind", rp_kind(g));
  as__json_string(j, "fingerprint", print);
  as__json_u64(j, "saving", g->saving);
  as__json_array_begin(j, "members");
  for (size_t i = 0; i < g->n; i++) {
    const rp_member *m = &g->members[i];
    as__json_object_begin(j, NULL);
    json_function(j, p, m->fn);
    as__json_double(j, "similarity", m->total ? 2.0 * m->lcs / m->total : 1);
    as__json_object_begin(j, "differs");
    as__json_u64(j, "instructions", m->total - 2 * m->lcs);
    as__json_u64(j, "constants", m->consts_differ);
    as__json_u64(j, "callees", m->callees_differ);
    as__json_object_end(j);
    as__json_object_end(j);
  }
  as__json_array_end(j);
  as__json_object_end(j);
}

static void write_json(FILE *out, const rp_project *p, const rp_settings *s,
                       const rp_findings *fd) {
  as_json j;
  as__json_init(&j, out);
  as__json_object_begin(&j, NULL);
  as__json_string(&j, "producer", "accelstrat-report " AS_VERSION_STRING);
  as__json_double(&j, "min_similarity", s->min_similarity);
  as__json_u64(&j, "min_instructions", s->min_instructions);
  as__json_u64(&j, "tus", p->n_tus);
  as__json_u64(&j, "functions", p->n_fns);
  as__json_u64(&j, "analysed", fd->analysed);
  as__json_u64(&j, "candidates", fd->candidates);
  as__json_array_begin(&j, "groups");
  for (size_t i = 0; i < fd->n_groups; i++) json_group(&j, p, &fd->groups[i]);
  as__json_array_end(&j);
  as__json_array_begin(&j, "pairs");
  for (size_t i = 0; i < fd->n_pairs; i++) {
    const rp_pair *q = &fd->pairs[i];
    as__json_object_begin(&j, NULL);
    as__json_object_begin(&j, "a");
    json_function(&j, p, q->a);
    as__json_object_end(&j);
    as__json_object_begin(&j, "b");
    json_function(&j, p, q->b);
    as__json_object_end(&j);
    as__json_u64(&j, "lcs", q->lcs);
    as__json_double(&j, "similarity", q->total ? 2.0 * q->lcs / q->total : 1);
    as__json_object_end(&j);
  }
  as__json_array_end(&j);
  as__json_array_begin(&j, "strategies");
  for (int b = 0; b < 2; b++) {
    FILE *v = as__json_value(&j, NULL);
    as_report_write_json(&fd->batch[b], v);
  }
  as__json_array_end(&j);
  as__json_object_end(&j);
  fputc('\n', out);
}

/* A SARIF physicalLocation of a function. */
static void sarif_location(as_json *j, const asx_func *f) {
  as__json_object_begin(j, "physicalLocation");
  as__json_object_begin(j, "artifactLocation");
  as__json_string(j, "uri", f->file[0] ? f->file : "unknown");
  as__json_object_end(j);
  if (f->line) {
    as__json_object_begin(j, "region");
    as__json_u64(j, "startLine", f->line);
    if (f->col) as__json_u64(j, "startColumn", f->col);
    as__json_object_end(j);
  }
  as__json_object_end(j);
}

static void sarif_rules(as_json *j) {
  static const char *const id[2] = {"identical", "similar"};
  static const char *const text[2] = {
      "Functions that opt -passes=mergefunc would merge",
      "Near-duplicate functions: merge candidates"};
  as__json_array_begin(j, "rules");
  for (int r = 0; r < 2; r++) {
    as__json_object_begin(j, NULL);
    as__json_string(j, "id", id[r]);
    as__json_object_begin(j, "shortDescription");
    as__json_string(j, "text", text[r]);
    as__json_object_end(j);
    as__json_object_end(j);
  }
  as__json_array_end(j);
}

static void sarif_result(as_json *j, const rp_project *p, const rp_group *g) {
  const asx_func *first = p->fns[g->members[0].fn].f;
  char msg[4400], differs[160];
  as__json_object_begin(j, NULL);
  as__json_string(j, "ruleId", rp_kind(g));
  as__json_string(j, "level", "warning");
  snprintf(msg, sizeof msg,
           "'%s' has %zu %s (merging %s about %llu instructions)", first->name,
           g->n - 1,
           g->identical ? (g->n == 2 ? "identical copy" : "identical copies")
                        : (g->n == 2 ? "near-duplicate" : "near-duplicates"),
           g->identical ? "saves" : "shares", (unsigned long long)g->saving);
  as__json_object_begin(j, "message");
  as__json_string(j, "text", msg);
  as__json_object_end(j);
  as__json_array_begin(j, "locations");
  as__json_object_begin(j, NULL);
  sarif_location(j, first);
  as__json_object_end(j);
  as__json_array_end(j);
  as__json_array_begin(j, "relatedLocations");
  for (size_t i = 1; i < g->n; i++) {
    const rp_member *m = &g->members[i];
    const asx_func *f = p->fns[m->fn].f;
    as__json_object_begin(j, NULL);
    as__json_i64(j, "id", (int64_t)i);
    sarif_location(j, f);
    rp_differs(m, differs, sizeof differs);
    if (g->identical)
      snprintf(msg, sizeof msg, "'%s' is identical", f->name);
    else
      snprintf(msg, sizeof msg, "'%s' is %u%% similar; %s", f->name,
               rp_percent(m->lcs, m->total), differs);
    as__json_object_begin(j, "message");
    as__json_string(j, "text", msg);
    as__json_object_end(j);
    as__json_object_end(j);
  }
  as__json_array_end(j);
  /* What a baseline matches a finding by: the group's kind and first. */
  as__json_object_begin(j, "partialFingerprints");
  rp_fingerprint(p, g, msg, sizeof msg);
  as__json_string(j, "accelstratGroup/v1", msg);
  as__json_object_end(j);
  as__json_object_end(j);
}

static void write_sarif(FILE *out, const rp_project *p, const rp_findings *fd) {
  as_json j;
  as__json_init(&j, out);
  as__json_object_begin(&j, NULL);
  as__json_string(&j, "$schema",
                  "https://json.schemastore.org/sarif-2.1.0.json");
  as__json_string(&j, "version", "2.1.0");
  as__json_array_begin(&j, "runs");
  as__json_object_begin(&j, NULL);
  as__json_object_begin(&j, "tool");
  as__json_object_begin(&j, "driver");
  as__json_string(&j, "name", "accelstrat-report");
  as__json_string(&j, "version", AS_VERSION_STRING);
  sarif_rules(&j);
  as__json_object_end(&j);
  as__json_object_end(&j);
  as__json_array_begin(&j, "results");
  for (size_t i = 0; i < fd->n_groups; i++) sarif_result(&j, p, &fd->groups[i]);
  as__json_array_end(&j);
  as__json_object_end(&j);
  as__json_array_end(&j);
  as__json_object_end(&j);
  fputc('\n', out);
}

void rp_write(FILE *f, rp_format format, const rp_project *p,
              const rp_settings *s, const rp_findings *fd) {
  if (format == RP_JSON)
    write_json(f, p, s, fd);
  else if (format == RP_SARIF)
    write_sarif(f, p, fd);
  else if (format == RP_HTML)
    rp_write_html(f, p, s, fd);
  else
    write_text(f, p, fd);
}
