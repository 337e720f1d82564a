/* The cost model and its profile file (see model.h and profile.h).
 *
 * The file, one per host:
 *
 *   accelstrat-profile 1
 *   host=NAME
 *   gpu backend=cuda key=cuda/NVIDIA_H100_80GB_HBM3/13.0 init_ns=2.1e8 mem=8.5e10
 *   gpu backend=omp key=cpu/MODEL init_ns=1e6 mem=0   (a team's first start)
 *   rates kernel=align version=1 device=cpu/MODEL batch_ns=.. task_ns=..
 *         unit_ns=.. lane_ns=.. byte_ns=.. eff=.. calibrated=1 ratios=1.02,0.97
 *
 * (each record on one line). Anything else, a wrong format version or
 * another host makes the whole file ignored, with one warning; the next save
 * replaces it. Saving takes an flock on PATH.lock, reads the file again,
 * merges this process's news into it and renames a temporary file over it,
 * so readers never see half a file and concurrent writers lose nothing. */
#include "support/fsutil.h"
#include "internal.h"
#include "registry.h"
#include "model.h"
#include "schedule.h"
#include "support/stats.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <accelstrat/error.h>
#include <accelstrat/profile.h>

#define MAX_RATES 128
#define MAX_GPUS 16

typedef struct entry {
  char kernel[32];
  unsigned version;
  char device[96];
  as_rates r;
  double ratios[AS_MODEL_WINDOW]; /* oldest first */
  int n_ratios;
  double fresh[AS_MODEL_WINDOW]; /* learned since the last save */
  int n_fresh;
  int replaced; /* calibrated in this process: its rates win on save */
} entry;

typedef struct gpu_note {
  char backend[16];
  char key[96];
  double init_ns, mem;
  int dirty;
  int gone; /* the backend found no device: drop the note on save */
} gpu_note;

typedef struct store {
  entry e[MAX_RATES];
  int n;
  gpu_note g[MAX_GPUS];
  int ng;
} store;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int loaded;
static char path[4096]; /* "" when profiles are off */
static store mem;       /* guarded by lock */
static unsigned warnings;

/* ---- keys ---- */

static void sanitize(char *dst, size_t len, const char *src) {
  size_t i = 0;
  for (; src && src[i] && i + 1 < len; i++)
    dst[i] = as__name_char(src[i]) ? src[i] : '_';
  if (len) dst[i] = '\0';
}

void as__model_cpu_key(char *buf, size_t len) {
  char clean[90];
  sanitize(clean, sizeof clean, as__cpu_model());
  snprintf(buf, len, "cpu/%s", clean);
}

void as__model_gpu_key(const char *backend, const char *name,
                       const char *driver, char *buf, size_t len) {
  char b[16], n[64], d[32];
  sanitize(b, sizeof b, backend);
  sanitize(n, sizeof n, name);
  sanitize(d, sizeof d, driver);
  snprintf(buf, len, "%s/%s/%s", b, n, d);
}

/* ---- default rates: without a profile; a built-in kernel's come from its
 * registry entry (kernels/kernels.c says where they were measured) ---- */

static void defaults_for(const as_kernel *k, const char *device, as_rates *r) {
  /* By name, as the profile keeps rates. A user kernel: its units are
   * unknown; say a nanosecond each. */
  const as_builtin *e = as__builtin_named(k->name, strlen(k->name));
  const as_builtin_rates user = {1.0, 100, 1.0, 100, 1.0};
  const as_builtin_rates *bi = e ? &e->rates : &user;
  memset(r, 0, sizeof *r);
  r->scale = 1;
  r->eff = 0.9;
  if (strncmp(device, "cpu", 3) == 0) {
    r->batch_ns = 20e3; /* an OpenMP team's start-up and join */
    r->task_ns = bi->cpu_task;
    r->unit_ns = r->lane_ns = bi->cpu_unit;
  } else if (strncmp(device, "sim", 3) == 0) {
    /* The sim runs the CPU code on one thread, copying nothing. */
    r->batch_ns = 2e3;
    r->task_ns = bi->cpu_task;
    r->unit_ns = r->lane_ns = bi->cpu_unit;
  } else {
    r->batch_ns = 60e3;  /* allocation, copies' latency, launches, sync */
    r->byte_ns = 0.1;    /* 10 GB/s through pinned staging */
    r->task_ns = bi->gpu_task;
    r->unit_ns = bi->gpu_unit;
    r->lane_ns = bi->gpu_lane;
  }
}

/* ---- the file ---- */

static void host_name(char *buf, size_t len) {
  char host[64] = "localhost";
  gethostname(host, sizeof host - 1);
  sanitize(buf, len, host);
}

int as_profile_path(char *buf, size_t len) {
  const char *env = getenv("ACCELSTRAT_PROFILE");
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
    fprintf(stderr, "accelstrat: warning: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "; using built-in rates until it is rewritten\n");
  }
}

static entry *find(store *s, const char *kernel, unsigned version,
                   const char *device) {
  for (int i = 0; i < s->n; i++)
    if (s->e[i].version == version && strcmp(s->e[i].kernel, kernel) == 0 &&
        strcmp(s->e[i].device, device) == 0)
      return &s->e[i];
  return NULL;
}

static gpu_note *find_gpu(store *s, const char *backend) {
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

static int number(const char *line, const char *key, double lo, double hi,
                  double *out) {
  char buf[64], *end;
  if (!field(line, key, buf, sizeof buf)) return 0;
  errno = 0;
  double v = strtod(buf, &end);
  if (*end || errno || !isfinite(v) || v < lo || v > hi) return 0;
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
    if (*end || !isfinite(v) || v <= 0 || e->n_ratios == AS_MODEL_WINDOW)
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
      !number(line, "batch_ns", 0, 1e12, &r->batch_ns) ||
      !number(line, "task_ns", 0, 1e12, &r->task_ns) ||
      !number(line, "unit_ns", 0, 1e9, &r->unit_ns) ||
      !number(line, "lane_ns", 0, 1e9, &r->lane_ns) ||
      !number(line, "byte_ns", 0, 1e6, &r->byte_ns) ||
      !number(line, "eff", 0.01, 1.5, &r->eff) ||
      !number(line, "calibrated", 0, 1, &cal) || !parse_ratios(ratios, e))
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
         number(line, "init_ns", 0, 1e12, &g->init_ns) &&
         number(line, "mem", 0, 1e15, &g->mem);
}

/* Reads the file into s: 1 read, 0 no file (or off), -1 ignored (warned). */
static int read_file(store *s) {
  memset(s, 0, sizeof *s);
  if (!path[0]) return 0;
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  char line[1024], host[64], want_host[64];
  const char *bad = NULL;
  int lineno = 0;
  host_name(want_host, sizeof want_host);
  while (!bad && fgets(line, sizeof line, f)) {
    lineno++;
    if (!strchr(line, '\n') && !feof(f)) bad = "a line is too long";
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
      sanitize(host, sizeof host, line + 5);
      if (strcmp(host, want_host) != 0) bad = "written on another host";
    } else if (strncmp(line, "gpu ", 4) == 0) {
      if (s->ng == MAX_GPUS || !parse_gpu(line, &s->g[s->ng])) bad = "bad gpu line";
      else s->ng++;
    } else if (strncmp(line, "rates ", 6) == 0) {
      if (s->n == MAX_RATES || !parse_rates(line, &s->e[s->n])) bad = "bad rates line";
      else s->n++;
    } else if (line[0] != '#' && line[0] != '\n') {
      bad = "unknown line";
    }
  }
  if (!bad && ferror(f)) bad = "read error";
  if (!bad && lineno == 0) bad = "empty";
  fclose(f);
  if (bad) {
    char what[64];
    snprintf(what, sizeof what, "%s at line %d", bad, lineno);
    warn("ignoring profile %s (%s)", path, what);
    memset(s, 0, sizeof *s);
    return -1;
  }
  return 1;
}

static void write_ratios(FILE *f, const entry *e) {
  if (!e->n_ratios) fputc('-', f);
  for (int i = 0; i < e->n_ratios; i++)
    fprintf(f, "%s%.4g", i ? "," : "", e->ratios[i]);
}

static int write_file(const store *s, const char *target) {
  char tmp[4200], host[64];
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", target, (long)getpid());
  FILE *f = fopen(tmp, "w");
  if (!f) return AS_EIO;
  host_name(host, sizeof host);
  fprintf(f, "accelstrat-profile %d\nhost=%s\n", AS_PROFILE_FORMAT, host);
  for (int i = 0; i < s->ng; i++)
    fprintf(f, "gpu backend=%s key=%s init_ns=%.6g mem=%.6g\n", s->g[i].backend,
            s->g[i].key, s->g[i].init_ns, s->g[i].mem);
  for (int i = 0; i < s->n; i++) {
    const entry *e = &s->e[i];
    const as_rates *r = &e->r;
    fprintf(f,
            "rates kernel=%s version=%u device=%s batch_ns=%.6g task_ns=%.6g "
            "unit_ns=%.6g lane_ns=%.6g byte_ns=%.6g eff=%.4g calibrated=%d ratios=",
            e->kernel, e->version, e->device, r->batch_ns, r->task_ns, r->unit_ns,
            r->lane_ns, r->byte_ns, r->eff, r->calibrated);
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

static void append(double *v, int *n, double x) {
  if (*n == AS_MODEL_WINDOW) {
    memmove(v, v + 1, (AS_MODEL_WINDOW - 1) * sizeof *v);
    --*n;
  }
  v[(*n)++] = x;
}

static double entry_scale(const entry *e) {
  if (!e->n_ratios) return 1;
  double v[AS_MODEL_WINDOW];
  memcpy(v, e->ratios, e->n_ratios * sizeof *v);
  double m = as__median(v, e->n_ratios);
  return m < 1.0 / 64 ? 1.0 / 64 : m > 64 ? 64 : m;
}

/* Called with lock held. */
static void ensure_loaded(void) {
  if (loaded) return;
  loaded = 1;
  if (as_profile_path(path, sizeof path) < 0) path[0] = '\0';
  read_file(&mem);
}

/* ---- the model ---- */

void as__model_rates(const as_kernel *k, const char *device, as_rates *r) {
  pthread_mutex_lock(&lock);
  ensure_loaded();
  const entry *e = find(&mem, k->name, k->version, device);
  if (e) {
    *r = e->r;
    r->scale = entry_scale(e);
  } else {
    defaults_for(k, device, r);
  }
  pthread_mutex_unlock(&lock);
}

const char *as__model_source(const as_kernel *k, const char *device) {
  pthread_mutex_lock(&lock);
  ensure_loaded();
  const entry *e = find(&mem, k->name, k->version, device);
  const char *src = !e ? "defaults" : e->r.calibrated ? "profile" : "learned";
  pthread_mutex_unlock(&lock);
  return src;
}

double as__predict_cpu(const as_rates *r, const as_shape *s, int threads) {
  double all = (r->task_ns * (double)s->n + r->unit_ns * (double)s->work) * r->scale;
  if (threads <= 1 || s->n <= 1) return all;
  double longest = (r->task_ns + r->unit_ns * (double)s->max_work) * r->scale;
  double spread = all / (threads * r->eff);
  return r->batch_ns + (spread > longest ? spread : longest);
}

/* The chunks of the batch when each fills at most the scheduler's share of
 * the free memory. */
static double chunks_for(const as_shape *s, double mem) {
  const double budget = mem / AS_SCHED_CHUNK_MEM_DIVISOR;
  double c = mem > 0 ? ceil((double)s->bytes / budget) : 1;
  return c < 1 ? 1 : c;
}

double as__predict_gpu(const as_rates *r, const as_shape *s, double mem) {
  double all = r->task_ns * (double)s->n + r->unit_ns * (double)s->work;
  double longest = r->task_ns + r->lane_ns * (double)s->max_work;
  return chunks_for(s, mem) * r->batch_ns + r->byte_ns * (double)s->bytes +
         (all > longest ? all : longest) * r->scale;
}

double as__predict_hybrid(const as_rates *cpu, const as_rates *gpu,
                          const as_shape *s, int threads, double mem,
                          double *share) {
  *share = 0;
  if (threads < 2 || s->n < 2) return INFINITY;
  const int tc = threads - 1; /* one thread drives the GPU */
  double c0 = tc > 1 ? cpu->batch_ns : 0;
  double cw = (cpu->task_ns * (double)s->n + cpu->unit_ns * (double)s->work) *
              cpu->scale / (tc > 1 ? tc * cpu->eff : 1);
  /* The GPU claims 1/AS_SCHED_CLAIM_DIVISOR of what is left at a time:
   * counted as that many claims, or one a chunk when there are more. */
  const double few = AS_SCHED_CLAIM_DIVISOR, first = 1.0 / AS_SCHED_CLAIM_DIVISOR;
  double claims = few > chunks_for(s, mem) ? few : chunks_for(s, mem);
  double g0 = claims * gpu->batch_ns;
  double gw = (gpu->task_ns * (double)s->n + gpu->unit_ns * (double)s->work) *
                  gpu->scale + gpu->byte_ns * (double)s->bytes;
  double f = (c0 + cw - g0) / (gw + cw);
  if (!(f >= first)) f = first; /* its first claim, taken before the CPU starts */
  if (f > 1) f = 1;
  *share = f;
  double tg = g0 + f * gw, tcpu = f < 1 ? c0 + (1 - f) * cw : 0;
  /* The CPU threads take ranges of the scheduler's size (as__cpu_range_size,
   * unrounded): when the queue runs dry the last range taken still has to
   * finish, on one thread. */
  double range = (double)s->n / ((double)AS_SCHED_RANGES_PER_THREAD * tc);
  double tail = f < 1 ? (cpu->task_ns * (double)s->n + cpu->unit_ns * (double)s->work) *
                            cpu->scale * (range < 1 ? 1 : range) / (double)s->n
                      : 0;
  return (tg > tcpu ? tg : tcpu) + tail;
}

static entry *entry_for(const as_kernel *k, const char *device) {
  entry *e = find(&mem, k->name, k->version, device);
  if (e || mem.n == MAX_RATES) return e;
  e = &mem.e[mem.n++];
  memset(e, 0, sizeof *e);
  snprintf(e->kernel, sizeof e->kernel, "%s", k->name);
  e->version = k->version;
  snprintf(e->device, sizeof e->device, "%s", device);
  defaults_for(k, device, &e->r);
  return e;
}

double as__model_scale(const as_kernel *k, const char *device) {
  pthread_mutex_lock(&lock);
  ensure_loaded();
  const entry *e = find(&mem, k->name, k->version, device);
  double scale = e ? entry_scale(e) : 1;
  pthread_mutex_unlock(&lock);
  return scale;
}

void as__model_learn(const as_kernel *k, const char *device, double measured_ns,
                     double unscaled_ns) {
  if (!(measured_ns >= AS_MODEL_LEARN_MIN_NS) || !(unscaled_ns > 0)) return;
  double ratio = measured_ns / unscaled_ns;
  if (!(ratio > 1e-3 && ratio < 1e3)) return; /* a clock jump, not a rate */
  pthread_mutex_lock(&lock);
  ensure_loaded();
  entry *e = entry_for(k, device);
  if (e) {
    append(e->ratios, &e->n_ratios, ratio);
    append(e->fresh, &e->n_fresh, ratio);
  }
  pthread_mutex_unlock(&lock);
}

void as__model_set_rates(const as_kernel *k, const char *device,
                         const as_rates *r) {
  pthread_mutex_lock(&lock);
  ensure_loaded();
  entry *e = entry_for(k, device);
  if (e) {
    e->r = *r;
    e->r.scale = 1;
    e->n_ratios = e->n_fresh = 0; /* old ratios were against old rates */
    e->replaced = 1;
  }
  pthread_mutex_unlock(&lock);
}

int as__model_last_gpu(const char *backend, char *key, size_t len) {
  pthread_mutex_lock(&lock);
  ensure_loaded();
  const gpu_note *g = find_gpu(&mem, backend);
  if (g) snprintf(key, len, "%s", g->key);
  pthread_mutex_unlock(&lock);
  return g != NULL;
}

static double gpu_fact(const char *backend, const char *key, int want_mem) {
  pthread_mutex_lock(&lock);
  ensure_loaded();
  const gpu_note *g = find_gpu(&mem, backend);
  double v = -1;
  if (g && strcmp(g->key, key) == 0) v = want_mem ? g->mem : g->init_ns;
  pthread_mutex_unlock(&lock);
  if (v >= 0) return v;
  /* Unknown device: a CUDA context takes a few hundred ms to create; an
   * OpenMP team's first start ~0.1 ms on an idle machine, up to ~10 ms on
   * a busy virtual one. */
  if (strcmp(backend, AS_MODEL_OMP) == 0) return want_mem ? 0 : 1e6;
  int sim = strcmp(backend, "sim") == 0;
  return want_mem ? (sim ? 1e9 : 8e9) : (sim ? 0 : 300e6);
}

double as__model_gpu_init_ns(const char *backend, const char *key) {
  return gpu_fact(backend, key, 0);
}

double as__model_gpu_mem(const char *backend, const char *key) {
  return gpu_fact(backend, key, 1);
}

void as__model_note_gpu(const char *backend, const char *key, double init_ns,
                        double memory) {
  pthread_mutex_lock(&lock);
  ensure_loaded();
  gpu_note *g = find_gpu(&mem, backend);
  if (!g && mem.ng < MAX_GPUS) g = &mem.g[mem.ng++];
  if (g) {
    /* Context creation varies run to run: keep a slow average. */
    int same = strcmp(g->key, key) == 0 && g->init_ns > 0;
    snprintf(g->backend, sizeof g->backend, "%s", backend);
    snprintf(g->key, sizeof g->key, "%s", key);
    g->init_ns = same ? 0.75 * g->init_ns + 0.25 * init_ns : init_ns;
    g->mem = memory;
    g->dirty = 1;
  }
  pthread_mutex_unlock(&lock);
}

void as__model_forget_gpu(const char *backend) {
  pthread_mutex_lock(&lock);
  ensure_loaded();
  gpu_note *g = find_gpu(&mem, backend);
  if (g) g->gone = g->dirty = 1;
  pthread_mutex_unlock(&lock);
}

/* Folds this process's news into s (the file as it is now). */
static void merge_into(store *s) {
  for (int i = 0; i < mem.ng; i++) {
    if (!mem.g[i].dirty) continue;
    gpu_note *g = find_gpu(s, mem.g[i].backend);
    if (mem.g[i].gone) {
      if (g) *g = s->g[--s->ng]; /* order does not matter */
      continue;
    }
    if (!g && s->ng < MAX_GPUS) g = &s->g[s->ng++];
    if (g) {
      *g = mem.g[i];
      g->dirty = 0;
    }
  }
  for (int i = 0; i < mem.n; i++) {
    const entry *mine = &mem.e[i];
    if (!mine->replaced && !mine->n_fresh) continue;
    entry *e = find(s, mine->kernel, mine->version, mine->device);
    if (!e && s->n < MAX_RATES) {
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
        append(e->ratios, &e->n_ratios, mine->fresh[j]);
    }
    e->n_fresh = 0;
    e->replaced = 0;
  }
}

static int dirty(void) {
  for (int i = 0; i < mem.ng; i++)
    if (mem.g[i].dirty) return 1;
  for (int i = 0; i < mem.n; i++)
    if (mem.e[i].replaced || mem.e[i].n_fresh) return 1;
  return 0;
}

int as_profile_save(void) {
  pthread_mutex_lock(&lock);
  ensure_loaded();
  int rc = 0;
  if (!path[0] || !dirty()) goto out;
  char lock_path[4200];
  snprintf(lock_path, sizeof lock_path, "%s.lock", path);
  int fd = -1;
  if (as__mkdirs_for(path, 0755) == 0)
    fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    rc = AS_EIO;
    goto out;
  }
  /* Another writer holds it for a read and a rename at most; wait up to a
   * second rather than forever. */
  int locked = 0;
  for (int i = 0; i < 200 && !(locked = flock(fd, LOCK_EX | LOCK_NB) == 0); i++) {
    struct timespec ts = {0, 5000000};
    nanosleep(&ts, NULL);
  }
  if (locked) {
    static store disk; /* large; guarded by lock */
    read_file(&disk);
    merge_into(&disk);
    rc = write_file(&disk, path);
    if (rc == 0) mem = disk; /* what others learned is ours too now */
  } else {
    rc = AS_EIO;
  }
  close(fd); /* releases the lock */
out:
  pthread_mutex_unlock(&lock);
  return rc;
}

void as__model_reset(void) {
  pthread_mutex_lock(&lock);
  loaded = 0;
  memset(&mem, 0, sizeof mem);
  warnings = 0;
  pthread_mutex_unlock(&lock);
}

unsigned as__model_warnings(void) {
  pthread_mutex_lock(&lock);
  unsigned w = warnings;
  pthread_mutex_unlock(&lock);
  return w;
}
