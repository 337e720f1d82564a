/* The plugin's keys (plugin/options.c): asp_kv_split and
 * asp_options_resolve over arguments and ACCELSTRAT_ variables, with the
 * runtime's environment check behind them. The input is lines: "$NAME=V"
 * sets ACCELSTRAT_NAME to V, any other line is an argument KEY[=VALUE]
 * (the whole environment's ACCELSTRAT_ variables are cleared first).
 *
 * Checked: asp_kv_split splits at the first '='; a failure has a message
 * and leaves the defaults; a success leaves every option within its
 * documented range; a variable that names no key or setting fails with
 * "unknown variable" and any "did you mean" names a real one; and the
 * same keys given as variables instead of arguments resolve to the same
 * options, or fail alike. */
#include "fuzz_util.h"

#include <accelstrat/config.h>

#include "options.h"

extern char **environ;

enum { MAX_NAMES = 64, MAX_LINES = 24 };

static char keys[MAX_NAMES][64];  /* every key the help lists */
static char known[MAX_NAMES][64]; /* every variable the plugin accepts */
static size_t n_keys, n_known;
static asp_options defaults;

/* The project's variables that are not settings (options.c's
 * other_vars). */
static const char *const other_vars[] = {"ACCELSTRAT_TEST_SEED",
                                         "ACCELSTRAT_BENCH_PEERS",
                                         "ACCELSTRAT_CHECK_SANITIZE"};

static void env_name(const char *key, char *buf, size_t len) {
  size_t n = (size_t)snprintf(buf, len, "ACCELSTRAT_");
  for (; *key && n + 1 < len; key++)
    buf[n++] = *key == '-'                  ? '_'
               : *key >= 'a' && *key <= 'z' ? (char)(*key - 'a' + 'A')
                                            : *key;
  buf[n] = '\0';
}

static void clear_environment(void) {
  char name[256];
  for (;;) {
    char **e = environ;
    while (*e && strncmp(*e, "ACCELSTRAT_", 11) != 0) e++;
    if (!*e) return;
    size_t len = strcspn(*e, "=");
    if (len >= sizeof name) len = sizeof name - 1;
    memcpy(name, *e, len);
    name[len] = '\0';
    if (unsetenv(name) != 0) abort();
  }
}

static int is_known(const char *name, char list[][64], size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(list[i], name) == 0) return 1;
  return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  /* The keys, from the help: "  NAME  ACCEPTED  WHAT". */
  char *help = NULL;
  size_t help_len = 0;
  FILE *f = open_memstream(&help, &help_len);
  asp_options_print_help(f);
  fclose(f);
  for (char *line = strchr(help, '\n'); line && line[1];
       line = strchr(line + 1, '\n')) {
    if (n_keys < MAX_NAMES && sscanf(line + 1, " %63s", keys[n_keys]) == 1)
      n_keys++;
  }
  free(help);
  for (size_t i = 0; i < n_keys; i++) env_name(keys[i], known[n_known++], 64);
  const as_setting *s;
  for (size_t i = 0; (s = as_setting_at(i)) && n_known < MAX_NAMES; i++)
    if (s->env_only) snprintf(known[n_known++], 64, "%s", s->env);
  for (size_t i = 0; i < sizeof other_vars / sizeof *other_vars; i++)
    if (n_known < MAX_NAMES)
      snprintf(known[n_known++], 64, "%s", other_vars[i]);
  if (n_keys < 10) {
    fprintf(stderr, "fuzz_options: only %zu keys in the help\n", n_keys);
    abort();
  }
  clear_environment();
  char err[1024];
  if (asp_options_resolve(&defaults, NULL, 0, err, sizeof err) != 0) abort();
  return 0;
}

static void check_resolved(const asp_options *o) {
  const as_config *c = &o->runtime;
  FUZZ_CHECK(o->min_similarity > 0 && o->min_similarity <= 1, "%g",
             o->min_similarity);
  FUZZ_CHECK(o->min_instructions >= 1 && o->min_instructions <= 100000000, "%u",
             o->min_instructions);
  FUZZ_CHECK(o->stage == ASP_STAGE_EARLY || o->stage == ASP_STAGE_LATE, "%d",
             (int)o->stage);
  FUZZ_CHECK((o->include_system | o->exhaustive | o->help) <= 1 &&
                 o->include_system >= 0 && o->exhaustive >= 0 && o->help >= 0,
             "flags %d %d %d", o->include_system, o->exhaustive, o->help);
  FUZZ_CHECK(strnlen(o->report, sizeof o->report) < sizeof o->report &&
                 strnlen(o->metrics, sizeof o->metrics) < sizeof o->metrics &&
                 strnlen(o->dump, sizeof o->dump) < sizeof o->dump &&
                 strnlen(o->index, sizeof o->index) < sizeof o->index,
             "a path without its terminator");
  FUZZ_CHECK(o->inject >= AS_FAULT_NONE &&
                 o->inject <= AS_FAULT_GPU_DRIVER_ERROR,
             "fault %d", (int)o->inject);
  FUZZ_CHECK(o->inject_chunk >= 0, "chunk %ld", o->inject_chunk);
  FUZZ_CHECK(c->strategy.kind >= AS_STRATEGY_AUTO &&
                 c->strategy.kind <= AS_STRATEGY_HYBRID_STATIC,
             "strategy %d", (int)c->strategy.kind);
  FUZZ_CHECK(c->strategy.gpu_fraction >= 0 && c->strategy.gpu_fraction <= 1 &&
                 (c->strategy.kind == AS_STRATEGY_HYBRID_STATIC ||
                  c->strategy.gpu_fraction == 0),
             "fraction %g", c->strategy.gpu_fraction);
  FUZZ_CHECK(c->fallback == 0 || c->fallback == 1, "fallback %d", c->fallback);
  FUZZ_CHECK(c->threads >= 0 && c->threads <= 4096, "threads %d", c->threads);
}

/* The input's lines, split in place: NAME=VALUE variables and arguments. */
typedef struct lines {
  char *var[MAX_LINES];
  asp_kv arg[MAX_LINES];
  size_t n_var, n_arg;
} lines;

static void set_vars(const lines *l) {
  clear_environment();
  for (size_t i = 0; i < l->n_var; i++) {
    char name[300];
    const char *eq = strchr(l->var[i], '=');
    size_t len = eq ? (size_t)(eq - l->var[i]) : strlen(l->var[i]);
    if (len > 200) len = 200;
    snprintf(name, sizeof name, "ACCELSTRAT_%.*s", (int)len, l->var[i]);
    if (setenv(name, eq ? eq + 1 : "", 1) != 0) abort();
  }
}

static int resolve(asp_options *o, const asp_kv *args, size_t n, char *err,
                   size_t errlen) {
  memset(err, 0, errlen);
  int rc = asp_options_resolve(o, args, n, err, errlen);
  FUZZ_CHECK(rc == 0 || rc == -1, "rc %d", rc);
  FUZZ_CHECK(err[errlen - 1] == '\0', "message without its terminator");
  if (rc < 0) {
    FUZZ_CHECK(err[0] != '\0', "a failure without a message");
    FUZZ_CHECK(memcmp(o, &defaults, sizeof *o) == 0,
               "options other than the defaults after '%s'", err);
    /* "... in the environment (did you mean NAME?)": the last one (the
     * variable's own name may hold the words too). */
    const char *near = NULL;
    for (const char *p = err; (p = strstr(p, "(did you mean ")); p++) near = p;
    size_t len = strlen(err);
    if (near && strncmp(err, "unknown variable", 16) == 0 && len > 2 &&
        strcmp(err + len - 2, "?)") == 0) {
      char name[64];
      FUZZ_CHECK(sscanf(near + 14, "%63[A-Z0-9_]", name) == 1 &&
                     is_known(name, known, n_known),
                 "suggests an unknown name: %s", err);
    }
  } else {
    check_resolved(o);
  }
  return rc;
}

/* Whether the environment holds an ACCELSTRAT_ variable the plugin does
 * not know. */
static int unknown_variable(void) {
  for (char **e = environ; *e; e++) {
    if (strncmp(*e, "ACCELSTRAT_", 11) != 0) continue;
    char name[128];
    size_t len = strcspn(*e, "=");
    if (len >= sizeof name) return 1;
    memcpy(name, *e, len);
    name[len] = '\0';
    if (!is_known(name, known, n_known)) return 1;
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1), *copy[MAX_LINES];
  memcpy(text, data, size);
  text[size] = '\0';
  lines l = {.n_var = 0, .n_arg = 0};
  for (char *p = text, *end = text + size; p <= end;) {
    size_t len = strcspn(p, "\n");
    p[len] = '\0';
    if (p[0] == '$' && l.n_var < MAX_LINES)
      l.var[l.n_var++] = p + 1;
    else if (p[0] != '$' && (len > 0 || p < end) && l.n_arg < MAX_LINES) {
      copy[l.n_arg] = strdup(p);
      l.arg[l.n_arg] = asp_kv_split(p);
      /* split at the first '=' */
      const asp_kv *kv = &l.arg[l.n_arg];
      const char *eq = strchr(copy[l.n_arg], '=');
      FUZZ_CHECK(kv->key == p &&
                     strlen(kv->key) == (eq ? (size_t)(eq - copy[l.n_arg])
                                            : strlen(copy[l.n_arg])),
                 "key of '%s'", copy[l.n_arg]);
      FUZZ_CHECK(eq ? kv->value && strcmp(kv->value, eq + 1) == 0
                    : kv->value == NULL,
                 "value of '%s'", copy[l.n_arg]);
      l.n_arg++;
    }
    p += len + 1;
  }

  char err[1024], err2[1024];
  asp_options o, o2;
  set_vars(&l);
  int unknown = unknown_variable();
  int rc = resolve(&o, l.arg, l.n_arg, err, sizeof err);
  if (unknown)
    FUZZ_CHECK(rc < 0 && strncmp(err, "unknown variable", 16) == 0,
               "an unknown variable accepted (rc %d, '%s')", rc, err);

  /* The same keys as variables: when each is a key (help aside: as an
   * argument it takes no value), given once, with a value, and not also
   * among the input's own variables. */
  int same = l.n_arg > 0;
  char names[MAX_LINES][80];
  for (size_t i = 0; i < l.n_arg && same; i++) {
    const asp_kv *kv = &l.arg[i];
    same = kv->value && is_known(kv->key, keys, n_keys) &&
           strcmp(kv->key, "help") != 0;
    if (!same) break;
    env_name(kv->key, names[i], sizeof names[i]);
    for (size_t j = 0; j < i && same; j++)
      same = strcmp(names[i], names[j]) != 0;
    for (size_t j = 0; j < l.n_var && same; j++) {
      char var[300];
      const char *eq = strchr(l.var[j], '=');
      size_t len = eq ? (size_t)(eq - l.var[j]) : strlen(l.var[j]);
      snprintf(var, sizeof var, "ACCELSTRAT_%.*s", (int)(len > 200 ? 200 : len),
               l.var[j]);
      same = strcmp(var, names[i]) != 0;
    }
  }
  if (same) {
    set_vars(&l);
    for (size_t i = 0; i < l.n_arg; i++)
      if (setenv(names[i], l.arg[i].value, 1) != 0) abort();
    int rc2 = resolve(&o2, NULL, 0, err2, sizeof err2);
    FUZZ_CHECK(rc == rc2, "as arguments: %d '%s'; as variables: %d '%s'", rc,
               rc ? err : "", rc2, rc2 ? err2 : "");
    FUZZ_CHECK(rc < 0 || memcmp(&o, &o2, sizeof o) == 0,
               "arguments and variables resolve differently");
  }
  for (size_t i = 0; i < l.n_arg; i++) free(copy[i]);
  free(text);
  clear_environment();
  return 0;
}
