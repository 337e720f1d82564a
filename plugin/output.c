#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <accelstrat/version.h>

#include "support/fsutil.h"
#include "support/json.h"

static void write_function(as_json *j, const char *key, const asp_record *r,
                           uint32_t i) {
  const asp_func *f = &r->mod->funcs[i];
  const asp_view *v = &r->views[i];
  as__json_object_begin(j, key);
  as__json_string(j, "name", v->name);
  as__json_string_n(j, "symbol", f->name, f->name_len);
  as__json_string(j, "file", v->loc.file);
  as__json_u64(j, "line", v->loc.line);
  as__json_u64(j, "col", v->loc.col);
  as__json_u64(j, "instructions", f->n_insts);
  as__json_object_end(j);
}

void asp_record_write(const asp_record *r, FILE *f) {
  as_json j;
  char buf[32];
  as__json_init(&j, f);
  as__json_object_begin(&j, NULL);
  as__json_string(&j, "tool", "accelstrat " AS_VERSION_STRING);
  as__json_string(&j, "tu", r->tu);
  as__json_u64(&j, "functions", r->mod->n);
  as__json_u64(&j, "functions_analysed", r->res->analysed);
  as__json_u64(&j, "candidate_pairs", r->res->candidates);
  as__json_string(
      &j, "strategy",
      as_strategy_format(r->opts->runtime.strategy, buf, sizeof buf));
  as__json_double(&j, "min_similarity", r->opts->min_similarity);
  as__json_u64(&j, "min_instructions", r->opts->min_instructions);
  as__json_string(&j, "stage",
                  r->opts->stage == ASP_STAGE_LATE ? "late" : "early");
  as__json_u64(&j, "total_ns", r->total_ns);
  as__json_u64(&j, "frontend_ns", r->frontend_ns);
  as__json_u64(&j, "cpu_ns", r->cpu_ns);
  as__json_array_begin(&j, "pairs");
  for (size_t i = 0; i < r->res->n_pairs; i++) {
    const asp_pair *p = &r->res->pairs[i];
    as__json_object_begin(&j, NULL);
    write_function(&j, "function", r, p->f);
    write_function(&j, "match", r, p->g);
    as__json_bool(&j, "identical", p->identical);
    as__json_double(&j, "similarity", p->total ? 2.0 * p->lcs / p->total : 1.0);
    as__json_u64(&j, "percent", asp_pair_percent(p));
    as__json_u64(&j, "lcs", p->lcs);
    /* The same with constant values and callees counted, and how many of
     * each differ: "same shape, other calls" apart from "other literals". */
    as__json_double(&j, "strict_similarity",
                    p->total ? 2.0 * p->strict_lcs / p->total : 1.0);
    as__json_object_begin(&j, "differs");
    as__json_u64(&j, "constants", p->consts_differ);
    as__json_u64(&j, "callees", p->callees_differ);
    as__json_object_end(&j);
    as__json_object_end(&j);
  }
  as__json_array_end(&j);
  as__json_array_begin(&j, "batches");
  for (int b = 0; b < ASP_BATCHES; b++)
    as_report_write_json(&r->res->batch[b], as__json_value(&j, NULL));
  as__json_array_end(&j);
  as__json_object_end(&j);
}

/* The record as one line, in memory: *line malloc'ed. */
static int record_line(const asp_record *r, char **line, size_t *len) {
  FILE *mem = open_memstream(line, len);
  if (!mem) return -1;
  asp_record_write(r, mem);
  fputc('\n', mem);
  if (fclose(mem) != 0) {
    free(*line);
    return -1;
  }
  return 0;
}

int asp_report_write(const asp_record *r, const char *path) {
  char *line = NULL;
  size_t len = 0;
  if (record_line(r, &line, &len) < 0) return -1;
  /* A temporary file beside it, renamed over it: a kill or a full disk
   * leaves the previous report whole, never half of the new one (and the
   * temporary, which the next write removes). */
  as__remove_stale_temps(path);
  int rc = as__replace_file(path, line, len);
  int saved = errno;
  free(line);
  errno = saved;
  return rc;
}

int asp_metrics_append(const asp_record *r, const char *path) {
  char *line = NULL;
  size_t len = 0;
  if (record_line(r, &line, &len) < 0) return -1;
  /* Read access only to see how the file ends; write-only works too. */
  int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) {
    free(line);
    return -1;
  }
  /* O_APPEND makes each write land at the end; the lock keeps a line that
   * needs several write() calls in one piece, and lets a failed one be
   * taken back: the file is cut to where the line started (a full disk, a
   * size limit). A line that a killed writer left unfinished is closed
   * first, so that this one starts on a line of its own (readers skip the
   * broken one). */
  int rc = flock(fd, LOCK_EX);
  struct stat st;
  off_t start = -1;
  if (rc == 0 && (rc = fstat(fd, &st)) == 0) start = st.st_size;
  char last = '\n';
  if (start > 0 && pread(fd, &last, 1, start - 1) != 1)
    last = '\n'; /* not readable: write-only */
  if (rc == 0 && last != '\n') rc = as__write_all(fd, "\n", 1);
  if (rc == 0) rc = as__write_all(fd, line, len);
  int saved = errno;
  if (rc < 0 && start >= 0 && ftruncate(fd, start) != 0) {
    /* nothing more to do: the error is said already */
  }
  close(fd); /* releases the lock */
  free(line);
  errno = saved;
  return rc;
}
