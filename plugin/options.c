#include "options.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <accelstrat/error.h>

#include "support/parse.h"

typedef int (*setter_fn)(asp_options *o, const char *value);

static int set_inject(asp_options *o, const char *v) {
  return as_fault_parse(v, &o->inject, &o->inject_chunk) < 0 ? -1 : 0;
}
static int set_min_similarity(asp_options *o, const char *v) {
  double x;
  if (as__parse_double(v, &x) < 0 || !(x > 0 && x <= 1)) return -1;
  o->min_similarity = x;
  return 0;
}
static int set_min_instructions(asp_options *o, const char *v) {
  long n;
  if (as__parse_long(v, &n) < 0 || n < 1 || n > 100000000) return -1;
  o->min_instructions = (unsigned)n;
  return 0;
}
static int set_stage(asp_options *o, const char *v) {
  if (strcmp(v, "early") == 0)
    o->stage = ASP_STAGE_EARLY;
  else if (strcmp(v, "late") == 0)
    o->stage = ASP_STAGE_LATE;
  else
    return -1;
  return 0;
}
static int set_path(char *dst, size_t cap, const char *v) {
  size_t len = strlen(v);
  if (len == 0 || len >= cap) return -1;
  memcpy(dst, v, len + 1);
  return 0;
}
static int set_report(asp_options *o, const char *v) {
  return set_path(o->report, sizeof o->report, v);
}
static int set_metrics(asp_options *o, const char *v) {
  return set_path(o->metrics, sizeof o->metrics, v);
}
static int set_dump(asp_options *o, const char *v) {
  return set_path(o->dump, sizeof o->dump, v);
}
/* "object", or a directory (a directory named object is ./object). */
static int set_index(asp_options *o, const char *v) {
  return set_path(o->index, sizeof o->index, v);
}
/* A key of two words: *field = 0 for the first, 1 for the second. */
static int set_either(int *field, const char *v, const char *zero,
                      const char *one) {
  if (strcmp(v, zero) != 0 && strcmp(v, one) != 0) return -1;
  *field = strcmp(v, one) == 0;
  return 0;
}
static int set_system_headers(asp_options *o, const char *v) {
  return set_either(&o->include_system, v, "skip", "include");
}
static int set_search(asp_options *o, const char *v) {
  return set_either(&o->exhaustive, v, "filter", "exhaustive");
}
/* As an argument help takes no value (apply refuses one); its variable,
 * ACCELSTRAT_HELP, is on or off. */
static int set_help(asp_options *o, const char *v) {
  int on = v ? as__parse_on_off(v) : 1;
  if (on < 0) return -1;
  o->help = on;
  return 0;
}

static const struct key {
  const char *name;
  const char *accepted;
  const char *default_value;
  const char *what;
  setter_fn set;
} keys[] = {
    {"inject", AS_INJECT_VALUES, "none",
     "plant a GPU fault at the backend boundary (tests, checking a set-up)",
     set_inject},
    {"min-similarity", "X (0<X<=1)", "0.80",
     "report pairs at least this similar", set_min_similarity},
    {"min-instructions", "N (1<=N<=100000000)", "16",
     "analyse functions with at least N instructions", set_min_instructions},
    {"stage", "early|late", "early",
     "start of the optimisation pipeline, or its end", set_stage},
    {"system-headers", "skip|include", "skip",
     "analyse functions defined in system headers (-isystem, the compiler's "
     "own; known under -fplugin= only)",
     set_system_headers},
    {"search", "filter|exhaustive", "filter",
     "candidate pairs: those the exact filter keeps, or every pair (the same "
     "findings, quadratic; a reference to check the filter against)",
     set_search},
    {"report", "PATH", "(none)", "write this TU's pairs as JSON", set_report},
    {"metrics", "PATH", "(none)",
     "append one JSON line per TU with the batches' metrics", set_metrics},
    {"dump", "DIR", "(none)",
     "write every batch to DIR (created if missing) for accelstrat-bench "
     "--replay DIR",
     set_dump},
    {"index", "object|DIR", "(none)",
     "record every function of the TU for accelstrat-report: in the object "
     "(a section the linker drops) or as a file in DIR (created if missing)",
     set_index},
    {"help", "(no value; ACCELSTRAT_HELP=on|off)", "",
     "print this help to stderr", set_help},
};

/* Key i of all the plugin takes: the runtime's keys (as_setting_at, which
 * as_config_set applies; set is NULL), then the plugin's own. 0 past the
 * last. */
static int key_at(size_t i, struct key *out) {
  const as_setting *s;
  for (size_t j = 0; (s = as_setting_at(j)); j++) {
    if (s->env_only) continue;
    if (i-- == 0) {
      *out =
          (struct key){s->name, s->accepted, s->default_value, s->what, NULL};
      return 1;
    }
  }
  if (i >= sizeof keys / sizeof *keys) return 0;
  *out = keys[i];
  return 1;
}

static int find_key(const char *name, struct key *out) {
  for (size_t i = 0; key_at(i, out); i++)
    if (strcmp(out->name, name) == 0) return 1;
  return 0;
}

static int set_key(asp_options *o, const struct key *k, const char *value) {
  if (!k->set)
    return value && as_config_set(&o->runtime, k->name, value, NULL, 0) == 0
               ? 0
               : -1;
  if (!value && k->set != set_help) return -1;
  return k->set(o, value);
}

static int apply(asp_options *o, const char *key, const char *value,
                 const char *origin, char *err, size_t errlen) {
  struct key k;
  if (!find_key(key, &k)) {
    size_t n = (size_t)snprintf(err, errlen,
                                "unknown key '%s'%s; known keys:", key, origin);
    for (size_t i = 0; key_at(i, &k) && n < errlen; i++)
      n += (size_t)snprintf(err + n, errlen - n, "%s %s", i ? "," : "", k.name);
    return -1;
  }
  if ((k.set == set_help && value && !*origin) || set_key(o, &k, value) < 0) {
    snprintf(err, errlen, "invalid value '%s' for '%s'%s; accepted: %s",
             value ? value : "", key, origin, k.accepted);
    return -1;
  }
  return 0;
}

static void set_defaults(asp_options *o) {
  memset(o, 0, sizeof *o);
  as_config_defaults(&o->runtime);
  o->min_similarity = 0.80;
  o->min_instructions = 16;
  o->stage = ASP_STAGE_EARLY;
}

/* Variables of the project that are not settings: the tests' seed, the
 * bench's peers, utils/check.sh's sanitizer switch. */
static const char *const other_vars[] = {"ACCELSTRAT_TEST_SEED",
                                         "ACCELSTRAT_BENCH_PEERS",
                                         "ACCELSTRAT_CHECK_SANITIZE"};

/* Every ACCELSTRAT_ variable of the environment names a key or a setting:
 * a misspelt one (ACCELSTRAT_STRATEGYY) is an error, with the nearest
 * name. Returns 0 or -1 with the message in err. */
static int check_environment(char *err, size_t errlen) {
  enum { MAX_NAMES = 64 };
  char names[MAX_NAMES][64];
  const char *list[MAX_NAMES];
  size_t n = 0;
  struct key k;
  for (size_t i = 0; key_at(i, &k) && n < MAX_NAMES; i++, n++)
    as__env_name(k.name, names[n], sizeof names[n]), list[n] = names[n];
  const as_setting *s;
  for (size_t i = 0; (s = as_setting_at(i)) && n < MAX_NAMES; i++)
    if (s->env_only) list[n++] = s->env;
  for (size_t i = 0; i < sizeof other_vars / sizeof *other_vars; i++)
    if (n < MAX_NAMES) list[n++] = other_vars[i];
  for (char **e = environ; *e; e++) {
    if (strncmp(*e, "ACCELSTRAT_", 11) != 0) continue;
    char name[128];
    size_t len = strcspn(*e, "=");
    if (len >= sizeof name) len = sizeof name - 1;
    memcpy(name, *e, len);
    name[len] = '\0';
    int known = 0;
    for (size_t i = 0; i < n && !known; i++) known = strcmp(list[i], name) == 0;
    if (known) continue;
    const char *near = as__parse_nearest(name, list, n);
    snprintf(err, errlen, "unknown variable %s in the environment%s%s%s", name,
             near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
    return -1;
  }
  /* The GPU's settings are read where the GPU is first used, by then too
   * late to fail the compile with a clear message. */
  return as_config_check_environment(err, errlen) < 0 ? -1 : 0;
}

int asp_options_resolve(asp_options *opts, const asp_kv *args, size_t n_args,
                        char *err, size_t errlen) {
  set_defaults(opts);
  if (check_environment(err, errlen) < 0) return -1;
  struct key k;
  for (size_t i = 0; key_at(i, &k); i++) {
    char name[64], origin[80];
    as__env_name(k.name, name, sizeof name);
    const char *value = getenv(name);
    if (!value) continue;
    snprintf(origin, sizeof origin, " (from %s)", name);
    if (apply(opts, k.name, value, origin, err, errlen) < 0) {
      set_defaults(opts);
      return -1;
    }
  }
  for (size_t i = 0; i < n_args; i++) {
    if (apply(opts, args[i].key, args[i].value, "", err, errlen) < 0) {
      set_defaults(opts);
      return -1;
    }
  }
  return 0;
}

void asp_options_print_help(FILE *f) {
  fprintf(f, "accelstrat: near-duplicate function finder; keys "
             "(-fplugin-arg-accelstrat-KEY=VALUE, opt: "
             "-passes='accelstrat<KEY=VALUE;...>', or ACCELSTRAT_KEY):\n");
  struct key k;
  for (size_t i = 0; key_at(i, &k); i++) {
    fprintf(f, "  %-17s %-40s %s", k.name, k.accepted, k.what);
    if (*k.default_value) fprintf(f, " [default: %s]", k.default_value);
    fputc('\n', f);
  }
}

asp_kv asp_kv_split(char *text) {
  asp_kv kv = {text, NULL};
  char *eq = strchr(text, '=');
  if (eq) {
    *eq = '\0';
    kv.value = eq + 1;
  }
  return kv;
}
