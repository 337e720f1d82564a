/* The JSON writer (support/json.h) and the report writer on top of it
 * (as_report_write_json), read back by two parsers. The first input byte
 * picks the mode:
 *
 * even: the rest decodes to a document, written with the writer's calls
 *   (objects and arrays nested up to AS_JSON_MAX_DEPTH - 1 deep, keys and
 *   strings of any bytes, NUL included where the call takes a length, every
 *   integer, any double bit pattern, booleans, nulls) while the target
 *   keeps what it wrote;
 * odd: the rest fills an as_report byte for byte (its strings cut to their
 *   arrays; any enum and error values), written with as_report_write_json.
 *
 * Each output is parsed by a strict parser here (RFC 8259 with no
 * whitespace, as the writer writes none; raw bytes must be well-formed
 * UTF-8; a "\udcXX" escape, XX >= 80, is the byte XX, as the writer
 * documents) that must give back exactly what was written: the same
 * structure, keys and string bytes, integers as written and doubles equal
 * bit for bit (non-finite ones as null). Then by jansson, after "\udcXX"
 * is rewritten as "\u00XX" (jansson refuses lone surrogates): it must
 * parse, with the same values (each string as written with every byte
 * outside well-formed UTF-8 as U+00XX; integers above INT64_MAX read as
 * reals, as jansson can only); a report must have no duplicate keys. */
#include "fuzz_util.h"

#include <inttypes.h>
#include <math.h>

#include <jansson.h>

#include <accelstrat/error.h>
#include <accelstrat/report.h>

#include "support/json.h"

#include "fuzz_json_tree.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  return 0;
}

/* ---- the document mode ---- */

typedef struct gen {
  fuzz_in in;
  as_json j;
  size_t nodes;
  int big; /* an integer above INT64_MAX was written */
} gen;

enum { MAX_NODES = 3000 };

/* A key: up to 24 bytes, cut at the first NUL (keys are C strings). */
static void gen_key(gen *g, jnode *v, char *buf) {
  size_t got;
  const uint8_t *p = fuzz_bytes(&g->in, fuzz_u8(&g->in) % 25, &got);
  memcpy(buf, p, got);
  buf[got] = '\0';
  jnode_set_key(v, buf, strlen(buf));
}

static void gen_value(gen *g, jnode *v, const char *key, int depth) {
  uint8_t op = g->nodes++ < MAX_NODES ? fuzz_u8(&g->in) % 11 : 10;
  size_t got;
  switch (op) {
  case 0:
  case 1: {
    if (depth + 1 >= AS_JSON_MAX_DEPTH) { /* as deep as it tracks commas */
      as__json_bool(&g->j, key, 1);
      v->t = J_TRUE;
      break;
    }
    int object = op == 0;
    size_t n = fuzz_u8(&g->in) % 7;
    v->t = object ? J_OBJ : J_ARR;
    if (object)
      as__json_object_begin(&g->j, key);
    else
      as__json_array_begin(&g->j, key);
    for (size_t i = 0; i < n; i++) {
      char buf[32];
      jnode *kid = jnode_add(v);
      if (object) gen_key(g, kid, buf);
      gen_value(g, kid, object ? buf : NULL, depth + 1);
    }
    if (object)
      as__json_object_end(&g->j);
    else
      as__json_array_end(&g->j);
    break;
  }
  case 2: { /* any bytes, NUL included */
    const uint8_t *p = fuzz_bytes(&g->in, fuzz_u8(&g->in) % 80, &got);
    as__json_string_n(&g->j, key, (const char *)p, got);
    v->t = J_STR;
    jnode_set_str(v, (const char *)p, got);
    break;
  }
  case 3: { /* a C string */
    char buf[81];
    const uint8_t *p = fuzz_bytes(&g->in, fuzz_u8(&g->in) % 80, &got);
    memcpy(buf, p, got);
    buf[got] = '\0';
    as__json_string(&g->j, key, buf);
    v->t = J_STR;
    jnode_set_str(v, buf, strlen(buf));
    break;
  }
  case 4:
    as__json_string(&g->j, key, NULL);
    v->t = J_NULL;
    break;
  case 5:
    v->t = J_NUM, v->kind = NUM_U64, v->u = fuzz_u64(&g->in);
    g->big |= v->u > INT64_MAX;
    as__json_u64(&g->j, key, v->u);
    break;
  case 6:
    v->t = J_NUM, v->kind = NUM_I64, v->i = (int64_t)fuzz_u64(&g->in);
    as__json_i64(&g->j, key, v->i);
    break;
  case 7: {
    uint64_t bits = fuzz_u64(&g->in);
    memcpy(&v->d, &bits, sizeof v->d);
    v->t = isfinite(v->d) ? J_NUM : J_NULL, v->kind = NUM_DOUBLE;
    as__json_double(&g->j, key, v->d);
    break;
  }
  case 8:
  case 9: {
    int on = op == 8 ? fuzz_u8(&g->in) & 1 : 0;
    as__json_bool(&g->j, key, on);
    v->t = on ? J_TRUE : J_FALSE;
    break;
  }
  default: as__json_null(&g->j, key); v->t = J_NULL;
  }
}

/* ---- the report mode ---- */

static void fill_report(as_report *rep, fuzz_in *in) {
  size_t got;
  const uint8_t *p = fuzz_bytes(in, sizeof *rep, &got);
  memset(rep, 0, sizeof *rep);
  memcpy(rep, p, got);
  rep->kernel[sizeof rep->kernel - 1] = '\0';
  rep->reason[sizeof rep->reason - 1] = '\0';
  rep->gpu[sizeof rep->gpu - 1] = '\0';
  rep->thread_limit_by[sizeof rep->thread_limit_by - 1] = '\0';
  rep->model[sizeof rep->model - 1] = '\0';
  for (int i = 0; i < AS_MAX_EVENTS; i++)
    rep->events[i].detail[sizeof rep->events[i].detail - 1] = '\0';
}

/* What report_json writes, as a tree: the plain reference. */
static void str_member(jnode *o, const char *key, const char *s) {
  jnode *v = jnode_add(o);
  jnode_set_key(v, key, strlen(key));
  v->t = J_STR;
  jnode_set_str(v, s, strlen(s));
}

static jnode *num_member(jnode *o, const char *key, int kind) {
  jnode *v = jnode_add(o);
  jnode_set_key(v, key, strlen(key));
  v->t = J_NUM, v->kind = kind;
  return v;
}

static void u64_member(jnode *o, const char *key, uint64_t x) {
  num_member(o, key, NUM_U64)->u = x;
}

static void i64_member(jnode *o, const char *key, int64_t x) {
  num_member(o, key, NUM_I64)->i = x;
}

static jnode *nest_member(jnode *o, const char *key, jtype t) {
  jnode *v = jnode_add(o);
  jnode_set_key(v, key, strlen(key));
  v->t = t;
  return v;
}

static int report_tree(const as_report *rep, jnode *o) {
  char buf[64];
  int big = 0;
  o->t = J_OBJ;
  str_member(o, "kernel", rep->kernel);
  u64_member(o, "tasks", rep->tasks);
  u64_member(o, "work", rep->work);
  str_member(o, "requested", as_strategy_format(rep->requested, buf, 32));
  str_member(o, "chosen", as_strategy_format(rep->chosen, buf, 32));
  str_member(o, "reason", rep->reason);
  str_member(o, "gpu", rep->gpu);
  i64_member(o, "threads", rep->threads);
  i64_member(o, "thread_limit", rep->thread_limit);
  str_member(o, "thread_limit_by", rep->thread_limit_by);
  i64_member(o, "jobserver_tokens", rep->jobserver_tokens);
  i64_member(o, "gpu_slot", rep->gpu_slot);
  i64_member(o, "gpu_slots", rep->gpu_slots);
  jnode *pred = nest_member(o, "predicted_ns", J_OBJ);
  u64_member(pred, "cpu", rep->predicted_ns[AS_PREDICT_CPU]);
  u64_member(pred, "gpu", rep->predicted_ns[AS_PREDICT_GPU]);
  u64_member(pred, "hybrid", rep->predicted_ns[AS_PREDICT_HYBRID]);
  jnode *share = num_member(o, "predicted_gpu_share", NUM_DOUBLE);
  share->d = rep->predicted_gpu_share;
  if (!isfinite(share->d)) share->t = J_NULL;
  str_member(o, "model", rep->model);
  u64_member(o, "select_ns", rep->select_ns);
  u64_member(o, "check_ns", rep->check_ns);
  u64_member(o, "exec_ns", rep->exec_ns);
  jnode *dev = nest_member(o, "tasks_per_device", J_OBJ);
  u64_member(dev, "cpu", rep->tasks_on[AS_DEVICE_CPU]);
  u64_member(dev, "gpu", rep->tasks_on[AS_DEVICE_GPU]);
  jnode *events = nest_member(o, "events", J_ARR);
  for (unsigned i = 0; i < rep->n_events && i < AS_MAX_EVENTS; i++) {
    const as_event *e = &rep->events[i];
    jnode *ev = jnode_add(events);
    ev->t = J_OBJ;
    str_member(ev, "cause", as_event_cause_name(e->cause));
    i64_member(ev, "chunk", e->chunk);
    u64_member(ev, "tasks_moved", e->tasks_moved);
    u64_member(ev, "detect_ns", e->detect_ns);
    u64_member(ev, "switch_ns", e->switch_ns);
    str_member(ev, "detail", e->detail);
    big |= e->tasks_moved > INT64_MAX || e->detect_ns > INT64_MAX ||
           e->switch_ns > INT64_MAX;
  }
  u64_member(o, "events_dropped", rep->events_dropped);
  if (rep->error)
    str_member(o, "error", as_err_name(rep->error));
  else
    nest_member(o, "error", J_NULL);
  uint64_t us[] = {rep->tasks,           rep->work,
                   rep->predicted_ns[0], rep->predicted_ns[1],
                   rep->predicted_ns[2], rep->select_ns,
                   rep->check_ns,        rep->exec_ns,
                   rep->tasks_on[0],     rep->tasks_on[1]};
  for (size_t i = 0; i < sizeof us / sizeof *us; i++) big |= us[i] > INT64_MAX;
  return big;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_in in = {data, size};
  int report = fuzz_u8(&in) & 1;
  char *doc = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&doc, &len);
  jnode want;
  jnode_init(&want);
  int big;
  if (report) {
    static as_report rep;
    fill_report(&rep, &in);
    FUZZ_CHECK(as_report_write_json(&rep, f) == 0, "as_report_write_json");
    big = report_tree(&rep, &want);
  } else {
    gen g = {in, {0}, 0, 0};
    as__json_init(&g.j, f);
    gen_value(&g, &want, NULL, 0);
    big = g.big;
  }
  FUZZ_CHECK(fclose(f) == 0, "open_memstream");

  /* The strict parser gives back exactly what was written. */
  jnode got;
  jnode_init(&got);
  char why[160];
  FUZZ_CHECK(jparse(doc, len, &got, why, sizeof why) == 0,
             "the output does not parse: %s; output: %.*s", why,
             (int)(len < 2000 ? len : 2000), doc);
  FUZZ_CHECK(jsame(&want, &got, report, why, sizeof why),
             "read back differently: %s", why);

  /* jansson agrees. */
  size_t jlen;
  char *jdoc = jansson_escapes(doc, len, &jlen);
  json_error_t error;
  size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL |
                 (big ? JSON_DECODE_INT_AS_REAL : 0) |
                 (report ? JSON_REJECT_DUPLICATES : 0);
  json_t *root = json_loadb(jdoc, jlen, flags, &error);
  FUZZ_CHECK(root != NULL, "jansson: %s at %d:%d; output: %.*s", error.text,
             error.line, error.column, (int)(jlen < 2000 ? jlen : 2000), jdoc);
  FUZZ_CHECK(jansson_same(&want, root, big, report, why, sizeof why),
             "jansson reads it differently: %s", why);
  json_decref(root);
  free(jdoc);
  jnode_free(&got);
  jnode_free(&want);
  free(doc);
  return 0;
}
