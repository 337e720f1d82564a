/* Strategy spelling, configuration keys, the environment, error strings. */
#include <stdlib.h>
#include <string.h>

#include <accelstrat/accelstrat.h>

#include "test_util.h"

static void strategies_parse_and_format(void) {
  static const struct {
    const char *text;
    as_strategy_kind kind;
    double fraction;
    const char *canonical;
  } good[] = {
      {"auto", AS_STRATEGY_AUTO, 0, "auto"},
      {"cpu", AS_STRATEGY_CPU, 0, "cpu"},
      {"gpu", AS_STRATEGY_GPU, 0, "gpu"},
      {"hybrid", AS_STRATEGY_HYBRID, 0, "hybrid"},
      {"hybrid:0.7", AS_STRATEGY_HYBRID_STATIC, 0.7, "hybrid:0.7"},
      {"hybrid:0", AS_STRATEGY_HYBRID_STATIC, 0, "hybrid:0"},
      {"hybrid:1", AS_STRATEGY_HYBRID_STATIC, 1, "hybrid:1"},
  };
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    as_strategy s;
    CHECK_INT_EQ(as_strategy_parse(good[i].text, &s), 0);
    CHECK_INT_EQ(s.kind, good[i].kind);
    CHECK(s.gpu_fraction == good[i].fraction);
    char buf[32];
    CHECK(strcmp(as_strategy_format(s, buf, sizeof buf), good[i].canonical) ==
          0);
  }
  static const char *const bad[] = {"",         "AUTO",        "gpu ",
                                    "hybrid:",  "hybrid:1.5",  "hybrid:-0.1",
                                    "hybrid:x", "hybrid:0.5x", "hybrid:nan",
                                    "fast"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    as_strategy s = {AS_STRATEGY_CPU, 0};
    if (as_strategy_parse(bad[i], &s) != AS_EINVAL)
      TEST_FAIL("'%s' parsed as a strategy", bad[i]);
    CHECK_INT_EQ(s.kind, AS_STRATEGY_CPU); /* untouched */
  }
}

static void keys_set_and_reject(void) {
  as_config cfg;
  as_config_defaults(&cfg);
  char err[256];
  CHECK_INT_EQ(as_config_set(&cfg, "threads", "3", err, sizeof err), 0);
  CHECK_INT_EQ(cfg.threads, 3);
  CHECK_INT_EQ(as_config_set(&cfg, "threads", "auto", err, sizeof err), 0);
  CHECK_INT_EQ(cfg.threads, 0);
  CHECK_INT_EQ(as_config_set(&cfg, "fallback", "off", err, sizeof err), 0);
  CHECK_INT_EQ(cfg.fallback, 0);
  CHECK_INT_EQ(as_config_set(&cfg, "strategy", "hybrid:0.25", err, sizeof err),
               0);
  CHECK(cfg.strategy.kind == AS_STRATEGY_HYBRID_STATIC &&
        cfg.strategy.gpu_fraction == 0.25);

  as_config before = cfg;
  CHECK_INT_EQ(as_config_set(&cfg, "threads", "0", err, sizeof err), AS_EINVAL);
  CHECK(strstr(err, "threads") && strstr(err, "'0'") &&
        strstr(err, AS_THREADS_VALUES));
  CHECK_INT_EQ(as_config_set(&cfg, "threads", "2x", err, sizeof err),
               AS_EINVAL);
  CHECK_INT_EQ(as_config_set(&cfg, "fallback", "maybe", err, sizeof err),
               AS_EINVAL);
  CHECK(strstr(err, AS_FALLBACK_VALUES) != NULL);
  CHECK_INT_EQ(as_config_set(&cfg, "strategy", "tpu", err, sizeof err),
               AS_EINVAL);
  CHECK(strstr(err, AS_STRATEGY_VALUES) != NULL);
  CHECK_INT_EQ(as_config_set(&cfg, "colour", "red", err, sizeof err),
               AS_EINVAL);
  CHECK(strstr(err, "colour") && strstr(err, "unknown key"));
  CHECK(memcmp(&before, &cfg, sizeof cfg) == 0);
}

static void environment_applies_after_defaults(void) {
  as_config cfg;
  char err[256];
  unsetenv("ACCELSTRAT_STRATEGY");
  unsetenv("ACCELSTRAT_FALLBACK");
  unsetenv("ACCELSTRAT_THREADS");
  CHECK_INT_EQ(as_config_init(&cfg, err, sizeof err), 0);
  CHECK_INT_EQ(cfg.strategy.kind, AS_STRATEGY_AUTO);
  CHECK_INT_EQ(cfg.fallback, 1);
  CHECK_INT_EQ(cfg.threads, 0);

  setenv("ACCELSTRAT_STRATEGY", "gpu", 1);
  setenv("ACCELSTRAT_FALLBACK", "off", 1);
  setenv("ACCELSTRAT_THREADS", "2", 1);
  CHECK_INT_EQ(as_config_init(&cfg, err, sizeof err), 0);
  CHECK_INT_EQ(cfg.strategy.kind, AS_STRATEGY_GPU);
  CHECK_INT_EQ(cfg.fallback, 0);
  CHECK_INT_EQ(cfg.threads, 2);

  setenv("ACCELSTRAT_THREADS", "many", 1);
  CHECK_INT_EQ(as_config_init(&cfg, err, sizeof err), AS_EINVAL);
  CHECK(strstr(err, "ACCELSTRAT_THREADS") && strstr(err, "many"));
  CHECK_INT_EQ(cfg.threads, 0); /* the bad key keeps its default */
  CHECK_INT_EQ(cfg.strategy.kind, AS_STRATEGY_GPU); /* the good ones apply */
  unsetenv("ACCELSTRAT_STRATEGY");
  unsetenv("ACCELSTRAT_FALLBACK");
  unsetenv("ACCELSTRAT_THREADS");
}

static void errors_have_names_and_messages(void) {
#define CHECK_ERRNO(name, val, msg)                                            \
  CHECK(strcmp(as_strerror(AS_##name), msg) == 0);                             \
  CHECK(strcmp(as_err_name(AS_##name), "AS_" #name) == 0);                     \
  CHECK(AS_##name < 0);
  AS_ERRNO_MAP(CHECK_ERRNO)
#undef CHECK_ERRNO
  CHECK(strcmp(as_strerror(0), "success") == 0);
  CHECK(strcmp(as_strerror(-999), "unknown error") == 0);
  CHECK(strcmp(as_version(), AS_VERSION_STRING) == 0);
}

/* The list of settings: each named once with its variable; every key of
 * as_config takes its documented default and is what as_config_set and the
 * unknown-key message know; an environment-only setting is no key. */
static void settings_are_one_list(void) {
  const as_setting *s;
  size_t n = 0, keys = 0;
  for (; (s = as_setting_at(n)); n++) {
    char env[64] = "ACCELSTRAT_";
    size_t k = strlen(env);
    for (const char *c = s->name; *c && k + 1 < sizeof env; c++)
      env[k++] =
          *c == '-' ? '_' : (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
    env[k] = '\0';
    CHECK_MSG(strcmp(s->env, env) == 0, "%s: variable %s", s->name, s->env);
    CHECK(s->accepted && *s->accepted && s->what && *s->what &&
          s->default_value);
    for (size_t j = 0; j < n; j++)
      CHECK_MSG(strcmp(as_setting_at(j)->name, s->name) != 0, "%s twice",
                s->name);
    as_config cfg;
    as_config_defaults(&cfg);
    char err[256];
    int rc = as_config_set(&cfg, s->name, s->default_value, err, sizeof err);
    if (s->env_only) {
      CHECK_MSG(rc == AS_EINVAL && strstr(err, "unknown key"), "%s is a key",
                s->name);
    } else {
      keys++;
      CHECK_MSG(rc == 0, "%s=%s: %s", s->name, s->default_value, err);
      as_config d;
      as_config_defaults(&d);
      CHECK_MSG(cfg.strategy.kind == d.strategy.kind &&
                    cfg.strategy.gpu_fraction == d.strategy.gpu_fraction &&
                    cfg.fallback == d.fallback && cfg.threads == d.threads,
                "%s's documented default is not its default", s->name);
    }
  }
  CHECK(as_setting_at(n) == NULL && keys == 3 && n > keys);
  as_config cfg;
  as_config_defaults(&cfg);
  char err[256];
  CHECK_INT_EQ(as_config_set(&cfg, "colour", "red", err, sizeof err),
               AS_EINVAL);
  for (size_t i = 0; (s = as_setting_at(i)); i++)
    CHECK_MSG((strstr(err, s->name) == NULL) == s->env_only, "'%s' in '%s'",
              s->name, err);
}

/* inject is no key of as_config: an executor takes ACCELSTRAT_INJECT when it
 * is created (a bad value fails it) and as_executor_inject() after. */
static void inject_is_the_executors(void) {
  as_fault f = AS_FAULT_NONE;
  long chunk = -1;
  CHECK_INT_EQ(as_fault_parse("gpu-oom@3", &f, &chunk), 0);
  CHECK(f == AS_FAULT_GPU_OOM && chunk == 3);
  CHECK_INT_EQ(as_fault_parse("gpu-unavailable@1", &f, &chunk), AS_EINVAL);
  CHECK_INT_EQ(as_fault_parse("gpu-oom@-1", &f, &chunk), AS_EINVAL);
  CHECK(f == AS_FAULT_GPU_OOM && chunk == 3);
  as_config cfg;
  as_config_defaults(&cfg);
  as_executor *ex = NULL;
  setenv("ACCELSTRAT_INJECT", "gpu-oom@x", 1);
  CHECK_INT_EQ(as_executor_create(&cfg, &ex), AS_EINVAL);
  CHECK(ex == NULL);
  setenv("ACCELSTRAT_INJECT", "gpu-driver-error", 1);
  CHECK_INT_EQ(as_executor_create(&cfg, &ex), 0);
  unsetenv("ACCELSTRAT_INJECT");
  CHECK_INT_EQ(as_executor_inject(ex, AS_FAULT_GPU_OOM, -1), AS_EINVAL);
  CHECK_INT_EQ(as_executor_inject(ex, (as_fault)99, 0), AS_EINVAL);
  CHECK_INT_EQ(as_executor_inject(ex, AS_FAULT_NONE, 0), 0);
  as_executor_destroy(ex);
}

int main(void) {
  strategies_parse_and_format();
  keys_set_and_reject();
  environment_applies_after_defaults();
  errors_have_names_and_messages();
  settings_are_one_list();
  inject_is_the_executors();
  return test_finish("test_config");
}
