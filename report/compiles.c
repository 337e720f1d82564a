/* The compile database run again with the plugin (compiles.h). */
#include "compiles.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* One compile: where it runs and its arguments (NULL-terminated). */
typedef struct compile {
  char *directory, *file;
  char **argv;
  size_t argc, cap;
} compile;

static int push(compile *c, const char *arg) {
  if (c->argc + 2 > c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 32;
    char **grown = realloc(c->argv, cap * sizeof *grown);
    if (!grown) return -1;
    c->argv = grown;
    c->cap = cap;
  }
  if (!(c->argv[c->argc] = strdup(arg))) return -1;
  c->argv[++c->argc] = NULL;
  return 0;
}

static void compile_free(compile *c) {
  for (size_t i = 0; i < c->argc; i++) free(c->argv[i]);
  free(c->argv);
  free(c->directory);
  free(c->file);
}

/* A "command" split as a POSIX shell splits words: quotes and
 * backslashes, no expansions. */
static int split_command(const char *s, char ***out, size_t *n) {
  char *word = malloc(strlen(s) + 1);
  char **v = NULL;
  size_t count = 0;
  if (!word) return -1;
  while (*s) {
    while (*s == ' ' || *s == '\t' || *s == '\n') s++;
    if (!*s) break;
    size_t k = 0;
    char quote = 0;
    for (; *s && (quote || (*s != ' ' && *s != '\t' && *s != '\n')); s++) {
      if (quote == '\'' && *s != '\'')
        word[k++] = *s;
      else if (*s == quote)
        quote = 0;
      else if (!quote && (*s == '\'' || *s == '"'))
        quote = *s;
      else if (*s == '\\' && s[1] && (quote != '"' || strchr("\"\\$`", s[1])))
        word[k++] = *++s;
      else
        word[k++] = *s;
    }
    word[k] = '\0';
    char **grown = realloc(v, (count + 1) * sizeof *grown);
    if (!grown || !(grown[count] = strdup(word))) {
      free(grown ? grown : v);
      free(word);
      return -1;
    }
    v = grown;
    count++;
  }
  free(word);
  *out = v;
  *n = count;
  return 0;
}

/* Options that write files besides the object, with a value to skip. */
static int skips(const char *a, int *with_value) {
  static const char *const valued[] = {"-o", "-MF", "-MT", "-MQ"};
  *with_value = 0;
  for (size_t i = 0; i < sizeof valued / sizeof *valued; i++) {
    size_t len = strlen(valued[i]);
    if (strcmp(a, valued[i]) == 0) return *with_value = 1;
    if (i > 0 && strncmp(a, valued[i], len) == 0) return 1; /* -MFdeps.d */
  }
  return strcmp(a, "-MD") == 0 || strcmp(a, "-MMD") == 0;
}

/* The compile of entry e, as c says to run it. */
static int make_compile(const rp_compiles *c, json_t *e, compile *out) {
  *out = (compile){0};
  const char *dir = json_string_value(json_object_get(e, "directory"));
  const char *file = json_string_value(json_object_get(e, "file"));
  json_t *args = json_object_get(e, "arguments");
  const char *command = json_string_value(json_object_get(e, "command"));
  if (!dir || !file || (!json_is_array(args) && !command)) return -1;
  char **words = NULL;
  size_t n = 0;
  if (json_is_array(args)) {
    n = json_array_size(args);
    words = calloc(n ? n : 1, sizeof *words);
    for (size_t i = 0; words && i < n; i++) {
      const char *w = json_string_value(json_array_get(args, i));
      words[i] = strdup(w ? w : "");
    }
  } else if (split_command(command, &words, &n) < 0) {
    return -1;
  }
  int rc = words && n ? 0 : -1;
  out->directory = strdup(dir);
  out->file = strdup(file);
  if (!out->directory || !out->file || push(out, c->compiler) < 0) rc = -1;
  for (size_t i = 1; rc == 0 && i < n; i++) {
    int with_value;
    if (!words[i])
      rc = -1;
    else if (skips(words[i], &with_value))
      i += (size_t)with_value;
    else
      rc = push(out, words[i]);
  }
  char plugin[4200], index[4200];
  snprintf(plugin, sizeof plugin, "-fplugin=%s", c->plugin);
  snprintf(index, sizeof index, "-fplugin-arg-accelstrat-index=%s", c->index);
  const char *extra[] = {"-o", "/dev/null", "-w", plugin, index};
  for (size_t i = 0; rc == 0 && i < sizeof extra / sizeof *extra; i++)
    rc = push(out, extra[i]);
  for (size_t i = 0; words && i < n; i++) free(words[i]);
  free(words);
  return rc;
}

static pid_t start(const compile *c) {
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(c->directory) == 0) execvp(c->argv[0], c->argv);
    fprintf(stderr, "accelstrat-report: %s: cannot run %s: %s\n", c->file,
            c->argv[0], strerror(errno));
    _exit(127);
  }
  return pid;
}

/* Waits for one of the running compiles; returns whether it failed. */
static int reap(compile *all, pid_t *pids, size_t n) {
  int status;
  pid_t pid = wait(&status);
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid) {
      pids[i] = 0;
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
      fprintf(stderr, "accelstrat-report: warning: the compile of %s failed\n",
              all[i].file);
      return 1;
    }
  return pid < 0;
}

int rp_run_compiles(const rp_compiles *c, char *err, size_t errlen) {
  char path[4200];
  snprintf(path, sizeof path, "%s/compile_commands.json", c->build_dir);
  json_error_t jerr;
  json_t *db = json_load_file(path, 0, &jerr);
  if (!json_is_array(db)) {
    snprintf(err, errlen, "%s: %s", path,
             db ? "not an array of compiles" : jerr.text);
    json_decref(db);
    return -1;
  }
  const size_t n = json_array_size(db);
  compile *all = calloc(n ? n : 1, sizeof *all);
  pid_t *pids = calloc(n ? n : 1, sizeof *pids);
  int failed = 0, rc = all && pids ? 0 : -1;
  for (size_t i = 0; rc == 0 && i < n; i++)
    if (make_compile(c, json_array_get(db, i), &all[i]) < 0) {
      snprintf(err, errlen, "%s: entry %zu is not a compile", path, i + 1);
      rc = -1;
    }
  size_t running = 0;
  for (size_t i = 0; rc == 0 && i < n; i++) {
    if (running == (size_t)(c->jobs > 0 ? c->jobs : 1))
      failed += reap(all, pids, n), running--;
    if ((pids[i] = start(&all[i])) < 0) {
      fprintf(stderr, "accelstrat-report: cannot start a compile: %s\n",
              strerror(errno));
      pids[i] = 0, failed++;
    } else {
      running++;
    }
  }
  for (; running; running--) failed += reap(all, pids, n);
  for (size_t i = 0; all && i < n; i++) compile_free(&all[i]);
  free(all);
  free(pids);
  json_decref(db);
  return rc < 0 ? -1 : failed;
}
