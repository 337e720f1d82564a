/* The profile file and the model's store it fills (profile.h, store.h).
 *
 * The file, one per host:
 *
 *   accelstrat-profile 1
 *   host=NAME
 *   gpu backend=cuda key=cuda/NVIDIA_H100_80GB_HBM3/13.0 init_ns=2.1e8
 * mem=8.5e10 gpu backend=omp key=cpu/MODEL init_ns=1e6 mem=0   (a team's first
 * start) rates kernel=align version=1 device=cpu/MODEL batch_ns=.. task_ns=..
 *         unit_ns=.. lane_ns=.. byte_ns=.. eff=.. calibrated=1 ratios=1.02,0.97
 *
 * (each record on one line; the "gpu" lines are devices.c's notes, the
 * CPU team's included). Anything else, a wrong format version or
 * another host makes the whole file ignored, with one warning; the next save
 * replaces it. Saving takes an flock on PATH.lock, reads the file again,
 * merges this process's news into it and renames a temporary file over it,
 * so readers never see half a file and concurrent writers lose nothing. */
#include "profile.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <accelstrat/error.h>
#include <accelstrat/profile.h>

#include "internal.h"
#include "settings.h"
#include "store.h"
#include "support/fsutil.h"

typedef as_model_store store;
typedef as_model_entry entry;
typedef as_model_note gpu_note;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int loaded;
static char path[4096]; /* "" when profiles are off */
static store mem;       /* guarded by lock */
/* Moves with every change to mem (written under lock, read without it). */
static _Atomic uint64_t generation;
static unsigned warnings;

/* ---- the file ---- */

static void host_name(char *buf, size_t len) {
  char host[64] = "localhost";
  gethostname(host, sizeof host - 1);
  as__name_copy(buf, len, host);
}

int as_profile_path(char *buf, size_t len) {
  const char *env = as__setting_env(AS_SETTING_PROFILE);
  if (env && *env) {
    if (strcmp(env, "off") == 0) {
      snprintf(buf, len, "%s", "");
      return AS_ENOSYS;
    }
    snprintf(buf, len, "%s", env);
    return 0;
  }
  char clean[64];
  host_name(clean, sizeof clean);
  const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  if (xdg && *xdg == '/')
    snprintf(buf, len, "%s/accelstrat/profile-%s.txt", xdg, clean);
  else if (home && *home)
    snprintf(buf, len, "%s/.cache/accelstrat/profile-%s.txt", home, clean);
  else {
    snprintf(buf, len, "%s", "");
    return AS_ENOSYS;
  }
  return 0;
}

static void warn(const char *fmt, const char *a, const char *b) {
  /* One warning per process: a bad profile is not the user's build error. */
  if (warnings++ == 0) {
    fprintf(stderr, "warning: accelstrat: "); /* as clang's own say it */
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
  }
}

entry *as__model_find(store *s, const char *kernel, unsigned version,
                      const char *device) {
  for (int i = 0; i < s->n; i++)
    if (s->e[i].version == version && strcmp(s->e[i].kernel, kernel) == 0 &&
        strcmp(s->e[i].device, device) == 0)
      return &s->e[i];
  return NULL;
}

gpu_note *as__model_find_note(store *s, const char *backend) {
  for (int i = 0; i < s->ng; i++)
    if (strcmp(s->g[i].backend, backend) == 0 && !s->g[i].gone) return &s->g[i];
  return NULL;
}

/* value of " key=" in line, copied into buf; 0 when missing or too long. */
static int field(const char *line, const char *key, char *buf, size_t len) {
  size_t klen = strlen(key);
  for (const char *p = line; (p = strstr(p, key)); p += klen) {
    if ((p != line && p[-1] != ' ') || p[klen] != '=') continue;
    const char *v = p + klen + 1;
    size_t n = strcspn(v, " \n");
    if (n == 0 || n >= len) return 0;
    memcpy(buf, v, n);
    buf[n] = '\0';
    return 1;
  }
  return 0;
}

/* The range of each number in the file: what the reader accepts is what
 * the writer writes (it clamps into the same range), so that the runtime
 * never writes a profile it would refuse to read. */
typedef struct bound {
  const char *key;
  double lo, hi;
} bound;

static const bound B_INIT = {"init_ns", 0, 1e12}, B_MEM = {"mem", 0, 1e18},
                   B_BATCH = {"batch_ns", 0, 1e12},
                   B_TASK = {"task_ns", 0, 1e12}, B_UNIT = {"unit_ns", 0, 1e9},
                   B_LANE = {"lane_ns", 0, 1e9}, B_BYTE = {"byte_ns", 0, 1e6},
                   B_EFF = {"eff", 0.01, 1.5}, B_RATIO = {"ratios", 1e-3, 1e3};

static double clamp(const bound *b, double v) {
  return !(v >= b->lo) ? b->lo : v > b->hi ? b->hi : v; /* NaN: lo */
}

static int number(const char *line, const bound *b, double *out) {
  char buf[64], *end;
  if (!field(line, b->key, buf, sizeof buf)) return 0;
  double v = strtod(buf, &end);
  if (*end || !isfinite(v) || v < b->lo || v > b->hi) return 0;
  *out = v;
  return 1;
}

static int parse_ratios(const char *text, entry *e) {
  char buf[512];
  snprintf(buf, sizeof buf, "%s", text);
  e->n_ratios = 0;
  if (strcmp(buf, "-") == 0) return 1;
  for (char *save, *t = strtok_r(buf, ",", &save); t;
       t = strtok_r(NULL, ",", &save)) {
    char *end;
    double v = strtod(t, &end);
    if (*end || !isfinite(v) || v < B_RATIO.lo || v > B_RATIO.hi ||
        e->n_ratios == AS_MODEL_WINDOW)
      return 0;
    e->ratios[e->n_ratios++] = v;
  }
  return 1;
}

static int parse_rates(const char *line, entry *e) {
  char version[16], ratios[512], *end;
  memset(e, 0, sizeof *e);
  double cal;
  as_rates *r = &e->r;
  if (!field(line, "kernel", e->kernel, sizeof e->kernel) ||
      !field(line, "device", e->device, sizeof e->device) ||
      !field(line, "version", version, sizeof version) ||
      !field(line, "ratios", ratios, sizeof ratios) ||
      !number(line, &B_BATCH, &r->batch_ns) ||
      !number(line, &B_TASK, &r->task_ns) ||
      !number(line, &B_UNIT, &r->unit_ns) ||
      !number(line, &B_LANE, &r->lane_ns) ||
      !number(line, &B_BYTE, &r->byte_ns) || !number(line, &B_EFF, &r->eff) ||
      !number(line, &(bound){"calibrated", 0, 1}, &cal) ||
      !parse_ratios(ratios, e))
    return 0;
  unsigned long v = strtoul(version, &end, 10);
  if (*end || v > 0xffffffffu) return 0;
  e->version = (unsigned)v;
  r->calibrated = cal != 0;
  r->scale = 1;
  return 1;
}

static int parse_gpu(const char *line, gpu_note *g) {
  memset(g, 0, sizeof *g);
  return field(line, "backend", g->backend, sizeof g->backend) &&
         field(line, "key", g->key, sizeof g->key) &&
         number(line, &B_INIT, &g->init_ns) && number(line, &B_MEM, &g->mem);
}

/* The records read_file left out, for its one warning. */
typedef struct dropped_lines {
  int n, first;
  const char *first_why;
} dropped_lines;

static void drop(dropped_lines *d, int lineno, const char *why) {
  if (d->n++ == 0) d->first = lineno, d->first_why = why;
}

/* Reads the file into s: 1 read, 0 no file (or off), -1 ignored (warned). */
static int read_file(store *s) {
  memset(s, 0, sizeof *s);
  if (!path[0]) return 0;
  FILE *f = as__fopen_regular(path); /* never blocks on a FIFO */
  if (!f && errno == EINVAL) {
    warn("ignoring profile %s (%s); using built-in rates", path,
         "not a regular file");
    return -1;
  }
  if (!f) return 0;
  char line[1024], host[64], want_host[64];
  const char *bad = NULL;
  dropped_lines dropped = {0, 0, NULL};
  int lineno = 0;
  host_name(want_host, sizeof want_host);
  while (!bad && fgets(line, sizeof line, f)) {
    lineno++;
    if (!strchr(line, '\n') && !feof(f))
      bad = "a line is too long";
    else if (lineno == 1) {
      unsigned fmt;
      char extra;
      if (sscanf(line, "accelstrat-profile %u%c", &fmt, &extra) != 2 ||
          extra != '\n')
        bad = "not a profile";
      else if (fmt != AS_PROFILE_FORMAT)
        bad = "written by another version (format)";
    } else if (strncmp(line, "host=", 5) == 0) {
      line[strcspn(line, "\n")] = '\0';
      as__name_copy(host, sizeof host, line + 5);
      if (strcmp(host, want_host) != 0) bad = "written on another host";
    } else if (strncmp(line, "gpu ", 4) == 0) {
      if (s->ng == AS_MODEL_MAX_NOTES || !parse_gpu(line, &s->g[s->ng]))
        drop(&dropped, lineno, "bad gpu line");
      else
        s->ng++;
    } else if (strncmp(line, "rates ", 6) == 0) {
      if (s->n == AS_MODEL_MAX_RATES || !parse_rates(line, &s->e[s->n]))
        drop(&dropped, lineno, "bad rates line");
      else
        s->n++;
    } else if (line[0] != '#' && line[0] != '\n') {
      drop(&dropped, lineno, "unknown line");
    }
  }
  if (!bad && ferror(f)) bad = "read error";
  if (!bad && lineno == 0) bad = "empty";
  fclose(f);
  if (bad) {
    char what[64];
    snprintf(what, sizeof what, "%s at line %d", bad, lineno);
    warn("ignoring profile %s (%s); using built-in rates until it is "
         "rewritten",
         path, what);
    memset(s, 0, sizeof *s);
    return -1;
  }
  /* A bad record costs its own line only: the rest of the calibration
   * stands, and the next save leaves the line out. */
  if (dropped.n) {
    char what[96];
    snprintf(what, sizeof what, "%s at line %d%s", dropped.first_why,
             dropped.first, dropped.n > 1 ? " and others" : "");
    warn("%s: ignoring a line of the profile (%s)", path, what);
  }
  return 1;
}

static void write_ratios(FILE *f, const entry *e) {
  if (!e->n_ratios) fputc('-', f);
  for (int i = 0; i < e->n_ratios; i++)
    fprintf(f, "%s%.4g", i ? "," : "", clamp(&B_RATIO, e->ratios[i]));
}

static int write_file(const store *s, const char *target) {
  char tmp[4200], host[64];
  int fd = as__open_temp(target, tmp, sizeof tmp);
  FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
  if (!f) {
    if (fd >= 0) close(fd), unlink(tmp);
    return AS_EIO;
  }
  host_name(host, sizeof host);
  fprintf(f, "accelstrat-profile %d\nhost=%s\n", AS_PROFILE_FORMAT, host);
  for (int i = 0; i < s->ng; i++)
    fprintf(f, "gpu backend=%s key=%s init_ns=%.6g mem=%.6g\n", s->g[i].backend,
            s->g[i].key, clamp(&B_INIT, s->g[i].init_ns),
            clamp(&B_MEM, s->g[i].mem));
  for (int i = 0; i < s->n; i++) {
    const entry *e = &s->e[i];
    const as_rates *r = &e->r;
    fprintf(
        f,
        "rates kernel=%s version=%u device=%s batch_ns=%.6g task_ns=%.6g "
        "unit_ns=%.6g lane_ns=%.6g byte_ns=%.6g eff=%.4g calibrated=%d ratios=",
        e->kernel, e->version, e->device, clamp(&B_BATCH, r->batch_ns),
        clamp(&B_TASK, r->task_ns), clamp(&B_UNIT, r->unit_ns),
        clamp(&B_LANE, r->lane_ns), clamp(&B_BYTE, r->byte_ns),
        clamp(&B_EFF, r->eff), r->calibrated);
    write_ratios(f, e);
    fputc('\n', f);
  }
  int failed = ferror(f);
  failed |= fclose(f) != 0;
  if (failed || rename(tmp, target) != 0) {
    unlink(tmp);
    return AS_EIO;
  }
  return 0;
}

void as__model_window_add(double *v, int *n, double x) {
  if (*n == AS_MODEL_WINDOW) {
    memmove(v, v + 1, (AS_MODEL_WINDOW - 1) * sizeof *v);
    --*n;
  }
  v[(*n)++] = x;
}

/* What the profile holds now, for dirty()'s comparisons. */
static void mark_saved(store *s) {
  for (int i = 0; i < s->n; i++)
    s->e[i].saved_scale = as__model_entry_scale(&s->e[i]);
  for (int i = 0; i < s->ng; i++) s->g[i].saved_init_ns = s->g[i].init_ns;
}

/* Called with lock held. */
static void ensure_loaded(void) {
  if (loaded) return;
  loaded = 1;
  if (as_profile_path(path, sizeof path) < 0) path[0] = '\0';
  read_file(&mem);
  mark_saved(&mem);
  as__model_changed();
}

/* ---- the store and its lock ---- */

as_model_store *as__model_loaded(void) {
  ensure_loaded();
  return &mem;
}

/* Takes the lock and records what the GPU layer reported meanwhile, as the
 * model would have had it noted at once. */
static void take_lock(void) {
  pthread_mutex_lock(&lock);
  as__model_take_gpu_reports();
}

as_model_store *as__model_lock(void) {
  take_lock();
  ensure_loaded();
  return &mem;
}

void as__model_unlock(void) { pthread_mutex_unlock(&lock); }

void as__model_changed(void) {
  atomic_fetch_add_explicit(&generation, 1, memory_order_release);
}

uint64_t as__model_generation(void) {
  return atomic_load_explicit(&generation, memory_order_acquire);
}

/* ---- saving ---- */

/* Folds this process's news into s (the file as it is now). */
static void merge_into(store *s) {
  for (int i = 0; i < mem.ng; i++) {
    if (!mem.g[i].dirty) continue;
    gpu_note *g = as__model_find_note(s, mem.g[i].backend);
    if (mem.g[i].gone) {
      if (g) *g = s->g[--s->ng]; /* order does not matter */
      continue;
    }
    if (!g && s->ng < AS_MODEL_MAX_NOTES) g = &s->g[s->ng++];
    if (g) {
      *g = mem.g[i];
      g->dirty = 0;
    }
  }
  for (int i = 0; i < mem.n; i++) {
    const entry *mine = &mem.e[i];
    if (!mine->replaced && !mine->n_fresh) continue;
    entry *e = as__model_find(s, mine->kernel, mine->version, mine->device);
    if (!e && s->n < AS_MODEL_MAX_RATES) {
      e = &s->e[s->n++];
      *e = *mine;
      e->n_ratios = 0;
    } else if (e && mine->replaced) {
      *e = *mine;
      e->n_ratios = 0;
    }
    if (!e) continue;
    if (mine->replaced) {
      memcpy(e->ratios, mine->ratios, sizeof e->ratios);
      e->n_ratios = mine->n_ratios;
    } else {
      for (int j = 0; j < mine->n_fresh; j++)
        as__model_window_add(e->ratios, &e->n_ratios, mine->fresh[j]);
    }
    e->n_fresh = 0;
    e->replaced = 0;
  }
}

/* Whether this process learned anything worth a save: a calibration, a
 * rate or device the profile lacks, or a scale that moved materially (a
 * run that only confirms the profile does not rewrite it). */
static int dirty(void) {
  for (int i = 0; i < mem.ng; i++)
    if (mem.g[i].dirty) return 1;
  for (int i = 0; i < mem.n; i++) {
    const entry *e = &mem.e[i];
    if (e->replaced || (e->n_fresh && !(e->saved_scale > 0))) return 1;
    if (e->n_fresh && fabs(as__model_entry_scale(e) / e->saved_scale - 1) >
                          AS_MODEL_SAVE_CHANGE)
      return 1;
  }
  return 0;
}

int as_profile_save(void) {
  as__model_lock();
  int rc = 0;
  if (!path[0] || !dirty()) goto out;
  char lock_path[4200];
  snprintf(lock_path, sizeof lock_path, "%s.lock", path);
  int fd = -1;
  /* The directories it makes are this user's alone (the default is in
   * ~/.cache); the lock is never opened through a link someone planted. */
  if (as__mkdirs_for(path, 0700) == 0)
    fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) {
    rc = AS_EIO;
    goto out;
  }
  /* Another writer holds it for a read and a rename at most; wait up to a
   * second rather than forever. */
  int locked = 0;
  for (int i = 0; i < 200 && !(locked = flock(fd, LOCK_EX | LOCK_NB) == 0);
       i++) {
    struct timespec ts = {0, 5000000};
    nanosleep(&ts, NULL);
  }
  if (locked) {
    static store disk;            /* large; guarded by lock */
    as__remove_stale_temps(path); /* a killed save's */
    read_file(&disk);
    merge_into(&disk);
    rc = write_file(&disk, path);
    if (rc == 0) { /* what others learned is ours too now */
      mem = disk;
      mark_saved(&mem);
      as__model_changed();
    }
  } else {
    rc = AS_EIO;
  }
  close(fd); /* releases the lock */
out:
  pthread_mutex_unlock(&lock);
  return rc;
}

void as__model_reset(void) {
  take_lock();
  loaded = 0;
  memset(&mem, 0, sizeof mem);
  as__model_changed();
  warnings = 0;
  pthread_mutex_unlock(&lock);
}

unsigned as__model_warnings(void) {
  take_lock();
  unsigned w = warnings;
  pthread_mutex_unlock(&lock);
  return w;
}
