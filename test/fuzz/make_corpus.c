/* Writes the fuzz targets' seed corpora: make_corpus DIR makes
 * DIR/<target>/ for each target (utils/fuzz.sh --make-corpus runs it into
 * test/fuzz/corpus). Everything is deterministic: batch files written by
 * the project's writer from its synthetic generator at fixed seeds,
 * profiles written by the profile writer (their host line then made
 * "host=@HOST@", which fuzz_profile replaces by the host it runs on), key
 * lines, JSON documents with odd bytes encoded for fuzz_json's decoder,
 * and kernel inputs in each kernel target's format. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <accelstrat/accelstrat.h>

#include "batchfile.h"
#include "model/profile.h"
#include "model/store.h"
#include "registry.h"
#include "support/rng.h"
#include "synth.h"

static const char *root;

static void put(const char *target, const char *name, const void *data,
                size_t size) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", root, target);
  if (mkdir(path, 0755) != 0 && errno != EEXIST) {
    perror(path);
    exit(1);
  }
  snprintf(path, sizeof path, "%s/%s/%s", root, target, name);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
    perror(path);
    exit(1);
  }
}

static void put_text(const char *target, const char *name, const char *text) {
  put(target, name, text, strlen(text));
}

/* A growing byte buffer. */
typedef struct buf {
  unsigned char b[8192];
  size_t n;
} buf;

static void b_u8(buf *o, unsigned v) { o->b[o->n++] = (unsigned char)v; }
static void b_u16(buf *o, unsigned v) { b_u8(o, v & 0xff), b_u8(o, v >> 8); }
static void b_u32(buf *o, uint32_t v) {
  for (int i = 0; i < 4; i++) b_u8(o, v >> (8 * i) & 0xff);
}
static void b_u64(buf *o, uint64_t v) {
  b_u32(o, (uint32_t)v), b_u32(o, (uint32_t)(v >> 32));
}
static void b_bytes(buf *o, const void *p, size_t n) {
  memcpy(o->b + o->n, p, n), o->n += n;
}
static void b_random(buf *o, as_rng *r, size_t n) {
  for (size_t i = 0; i < n; i++) b_u8(o, (unsigned)as__rng_next(r) & 0xff);
}

/* ---- batch files ---- */

static void batchfiles(void) {
  static const as_synth_shape shapes[][3] = {
      {{6, 8, 24, 16, 4, 0.8}, {2, 1, 3, 4, 0, 0.5}, {0, 1, 1, 0, 0, 0}},
      {{4, 8, 40, 16, 5, 0}, {3, 0, 3, 3, 0, 0}, {0, 1, 1, 0, 0, 0}},
  };
  char err[512], tmp[600], name[64];
  snprintf(tmp, sizeof tmp, "%s/.batch.tmp", root);
  for (size_t k = 0; k < as__builtin_count() && k < 2; k++) {
    const as_kernel *kernel = as__builtin_at(k)->kernel;
    for (int s = 0; s < 3; s++) {
      as_synth syn;
      if (as__synth_make(&syn, kernel, &shapes[k][s], 17 + (uint64_t)s) != 0 ||
          as__batch_write(&syn.batch, tmp, err, sizeof err) != 0) {
        fprintf(stderr, "make_corpus: %s batch %d: %s\n", kernel->name, s, err);
        exit(1);
      }
      as__synth_free(&syn);
      FILE *f = fopen(tmp, "rb");
      buf o = {.n = 0};
      o.n = fread(o.b, 1, sizeof o.b, f);
      fclose(f);
      unlink(tmp);
      snprintf(name, sizeof name, "%s-%d.asb", kernel->name, s);
      put("batchfile", name, o.b, o.n);
    }
  }
}

/* ---- profiles ---- */

static void profile_entry(as_model_store *s, const char *kernel,
                          const char *device, double unit, int ratios) {
  as_model_entry *e = &s->e[s->n++];
  memset(e, 0, sizeof *e);
  snprintf(e->kernel, sizeof e->kernel, "%s", kernel);
  snprintf(e->device, sizeof e->device, "%s", device);
  e->version = 1;
  e->r = (as_rates){.batch_ns = 2.5e4,
                    .task_ns = 20,
                    .unit_ns = unit,
                    .lane_ns = unit,
                    .byte_ns = 0.05,
                    .eff = 0.92,
                    .scale = 1,
                    .calibrated = ratios == 0};
  for (int i = 0; i < ratios; i++) e->ratios[i] = 0.9 + 0.05 * i;
  e->n_ratios = ratios;
  e->replaced = 1;
}

static void profiles(void) {
  char path[600];
  snprintf(path, sizeof path, "%s/.profile.tmp", root);
  setenv("ACCELSTRAT_PROFILE", path, 1);
  unlink(path);
  as__model_reset();
  as_model_store *s = as__model_lock();
  profile_entry(s, "align", "cpu/AMD_EPYC_7B13", 0.75, 0);
  profile_entry(s, "filter", "cpu/AMD_EPYC_7B13", 3.7, 4);
  profile_entry(s, "align", "cuda/NVIDIA_H200/13.0", 0.098, 9);
  as_model_note *g = &s->g[s->ng++];
  memset(g, 0, sizeof *g);
  snprintf(g->backend, sizeof g->backend, "cuda");
  snprintf(g->key, sizeof g->key, "cuda/NVIDIA_H200/13.0");
  g->init_ns = 2.1e8, g->mem = 1.4e11, g->dirty = 1;
  g = &s->g[s->ng++];
  memset(g, 0, sizeof *g);
  snprintf(g->backend, sizeof g->backend, "omp");
  snprintf(g->key, sizeof g->key, "cpu/AMD_EPYC_7B13");
  g->init_ns = 1e6, g->dirty = 1;
  as__model_unlock();
  if (as_profile_save() != 0) {
    fprintf(stderr, "make_corpus: as_profile_save failed\n");
    exit(1);
  }
  char text[8192], out[8192];
  FILE *f = fopen(path, "r");
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  unlink(path);
  snprintf(path + strlen(path), sizeof path - strlen(path), ".lock");
  unlink(path);
  text[n] = '\0';
  /* host=NAME as host=@HOST@ */
  char *host = strstr(text, "\nhost="),
       *eol = host ? strchr(host + 1, '\n') : 0;
  if (!eol) exit(1);
  snprintf(out, sizeof out, "%.*shost=@HOST@%s", (int)(host + 1 - text), text,
           eol);
  put_text("profile", "written.txt", out);
  char *rates = strstr(out, "rates ");
  put_text("profile", "rates-only.txt", rates ? rates : out);
  char variant[8192];
  snprintf(variant, sizeof variant,
           "%s# a comment\n\nrates kernel=align "
           "version=1 device=cpu/x batch_ns=1 task_ns=1 unit_ns=1 lane_ns=1 "
           "byte_ns=1 eff=1 calibrated=1 ratios=-\nbogus line\n",
           out);
  put_text("profile", "dropped-lines.txt", variant);
  snprintf(variant, sizeof variant, "%s%s", out, rates ? rates : "");
  put_text("profile", "duplicates.txt", variant);
  put_text("profile", "other-version.txt", "accelstrat-profile 2\n");
  /* The least normal double, which the writer's %.6g makes subnormal. */
  put_text("profile", "tiny.txt",
           "accelstrat-profile 1\ngpu backend=sim key=k "
           "init_ns=2.2250738585072014e-308 mem=4.9e-324\n");
  put_text("profile", "other-host.txt",
           "accelstrat-profile 1\nhost=elsewhere\ngpu backend=sim key=sim/x "
           "init_ns=0 mem=1e9\n");
  put_text("profile", "no-host.txt",
           "accelstrat-profile 1\ngpu backend=sim key=sim/x init_ns=1e+12 "
           "mem=1e18\nrates kernel=k version=4294967295 device=d batch_ns=1e12 "
           "task_ns=0 unit_ns=1e9 lane_ns=0x1p3 byte_ns=1e6 eff=0.01 "
           "calibrated=0.5 ratios=0.001,1000,1,1,1,1,1,1,1\n");
}

/* ---- keys ---- */

static void options(void) {
  static const char *const seeds[] = {
      "strategy=hybrid:0.5\nthreads=3\nfallback=off",
      "$STRATEGY=gpu\n$FALLBACK=no\n$THREADS=auto",
      "min-similarity=0.9\nmin-instructions=8\nstage=late",
      "$MIN_SIMILARITY=1\n$MIN_INSTRUCTIONS=100000000\n$STAGE=early",
      "system-headers=include\nsearch=exhaustive\nhelp",
      "$HELP=on\n$SYSTEM_HEADERS=skip\n$SEARCH=filter",
      "inject=gpu-oom@2\n$INJECT=gpu-driver-error@0",
      "$GPU=sim\n$SIM=memory=16K,speed=0.5,startup=0\n$GPU_SLOTS=64",
      "$GPU=cuda\n$GPU_SLOTS=65\n$GPU_SLOT_DIR=/tmp/x\n$CUDA_LIBRARY=lib.so",
      "report=/tmp/r.json\nmetrics=m.jsonl\ndump=d\nindex=object",
      "$REPORT=r.json\n$METRICS=\n$DUMP=dir\n$INDEX=./object\n$PROFILE=off",
      "$STRATEGYY=cpu",
      "$TEST_SEED=1\n$BENCH_PEERS=2\n$CHECK_SANITIZE=0",
      "strategy\nthreads=0\nthreads=4097\nmin-similarity=0",
      "unknown=1\n=\n==\nmin-similarity=0.8=",
      "$SIM=memory=2P\n$SIM=bogus=1",
      "threads=4096\nstrategy=hybrid:1\nmin-similarity=1e-300",
  };
  char name[32];
  for (size_t i = 0; i < sizeof seeds / sizeof *seeds; i++) {
    snprintf(name, sizeof name, "keys-%02zu.txt", i);
    put_text("options", name, seeds[i]);
  }
}

/* ---- JSON (fuzz_json's encoding: its gen_value's choices) ---- */

static void j_key(buf *o, const char *k) {
  b_u8(o, (unsigned)strlen(k)), b_bytes(o, k, strlen(k));
}
static void j_str(buf *o, const void *s, size_t n) {
  b_u8(o, 2), b_u8(o, (unsigned)n), b_bytes(o, s, n);
}

static void json(void) {
  static const char odd[] = "caf\xc3\xa9 \xe9t\xe9 \xed\xa0\x80 \xf4\x90\x80"
                            "\x80 \xef\xbf\xbf \"\\\n\r\t\x01\x7f\0tail";
  buf o = {.n = 0};
  b_u8(&o, 0);              /* document mode */
  b_u8(&o, 0), b_u8(&o, 6); /* an object of 6 */
  j_key(&o, "name\xff"), j_str(&o, odd, sizeof odd - 1);
  j_key(&o, "n"), b_u8(&o, 5), b_u64(&o, UINT64_MAX);
  j_key(&o, "i"), b_u8(&o, 6), b_u64(&o, (uint64_t)INT64_MIN);
  j_key(&o, "d"), b_u8(&o, 7), b_u64(&o, 0x3fb999999999999aULL); /* 0.1 */
  j_key(&o, "list"), b_u8(&o, 1), b_u8(&o, 4);
  b_u8(&o, 7), b_u64(&o, 0x7ff0000000000000ULL); /* inf: null */
  b_u8(&o, 7), b_u64(&o, 1);                     /* the least denormal */
  b_u8(&o, 8), b_u8(&o, 1);
  b_u8(&o, 4);
  j_key(&o, ""), b_u8(&o, 3), b_u8(&o, 4), b_bytes(&o, "a\0bc", 4);
  put("json", "document.bin", o.b, o.n);

  o.n = 0; /* as deep as the writer goes */
  b_u8(&o, 0);
  for (int d = 0; d < 16; d++) b_u8(&o, 1), b_u8(&o, 1);
  b_u8(&o, 10);
  put("json", "deep.bin", o.b, o.n);

  /* A report as a run fills one, byte for byte. */
  as_report rep;
  memset(&rep, 0, sizeof rep);
  snprintf(rep.kernel, sizeof rep.kernel, "align");
  rep.tasks = 1, rep.work = 42;
  rep.requested.kind = AS_STRATEGY_AUTO;
  rep.chosen = (as_strategy){AS_STRATEGY_HYBRID_STATIC, 0.25};
  snprintf(rep.reason, sizeof rep.reason,
           "auto: hybrid:0.25 predicted fastest");
  snprintf(rep.gpu, sizeof rep.gpu, "sim: accelstrat sim");
  rep.threads = 1, rep.thread_limit = 2, rep.gpu_slot = -1, rep.gpu_slots = 2;
  snprintf(rep.thread_limit_by, sizeof rep.thread_limit_by, "online 2");
  rep.predicted_ns[0] = 1200, rep.predicted_ns[2] = UINT64_MAX;
  rep.predicted_gpu_share = 0.25;
  snprintf(rep.model, sizeof rep.model, "defaults");
  rep.select_ns = 1000, rep.check_ns = 200, rep.exec_ns = 3000;
  rep.tasks_on[0] = 1;
  rep.n_events = 1, rep.error = AS_EINVAL;
  rep.events[0] = (as_event){AS_EVENT_GPU_OOM, 2, 1, 10, 20, ""};
  snprintf(rep.events[0].detail, sizeof rep.events[0].detail, "%s",
           "gpu-oom at chunk 2: \xff\xfe");
  o.n = 0;
  b_u8(&o, 1);
  b_bytes(&o, &rep, sizeof rep);
  put("json", "report.bin", o.b, o.n);

  as_rng r = as__rng_seeded(7);
  for (int i = 0; i < 3; i++) {
    char name[32];
    o.n = 0;
    b_u8(&o, (unsigned)i & 1);
    b_random(&o, &r, 300 + 400 * (size_t)i);
    snprintf(name, sizeof name, "random-%d.bin", i);
    put("json", name, o.b, o.n);
  }
}

/* ---- kernels ---- */

static void align(void) {
  as_rng r = as__rng_seeded(11);
  char name[32];
  for (int kind = 0; kind < 7; kind++) { /* pairs mode, one alphabet each */
    buf o = {.n = 0};
    b_u8(&o, 0), b_u8(&o, 2), b_u8(&o, (unsigned)kind);
    for (int t = 0; t < 3; t++) {
      b_u32(&o, 8 + as__rng_below(&r, 120)),
          b_u32(&o, 8 + as__rng_below(&r, 300));
      b_u8(&o, t & 1);
      b_random(&o, &r, 400);
    }
    snprintf(name, sizeof name, "pairs-%d.bin", kind);
    put("align", name, o.b, o.n);
  }
  /* raw mode: a synthetic batch's data with its offsets */
  as_synth syn;
  as_synth_shape shape = {3, 2, 20, 8, 4, 0};
  if (as__synth_make(&syn, &as_kernel_align, &shape, 5) != 0) exit(1);
  buf o = {.n = 0};
  b_u8(&o, 1), b_u8(&o, 3);
  for (size_t i = 0; i <= 3; i++) b_u16(&o, (unsigned)syn.offsets[i]);
  b_bytes(&o, syn.words, syn.offsets[3]);
  put("align", "raw.bin", o.b, o.n);
  as__synth_free(&syn);
}

static void filter(void) {
  as_rng r = as__rng_seeded(13);
  char name[32];
  for (int i = 0; i < 8; i++) {
    buf o = {.n = 0};
    b_u8(&o, (unsigned)i & 1); /* exact or damaged */
    b_u8(&o, i >> 2 ? 0 : 1);  /* many short streams or few long ones */
    if (i >> 2)
      b_u16(&o, 530 + 40 * (unsigned)(i & 2));
    else
      b_u8(&o, 40), b_u8(&o, 60);
    b_u8(&o, (unsigned)(i * 3) % 7); /* the alphabet */
    b_random(&o, &r, 2500);
    snprintf(name, sizeof name, "streams-%d.bin", i);
    put("filter", name, o.b, o.n);
  }
}

static void hash(void) {
  as_rng r = as__rng_seeded(17);
  char name[32];
  /* strategy (pick % 5), fault (then its chunk), sim memory, fallback,
   * threads, tasks */
  static const unsigned choices[][6] = {
      {0, 0, 4, 1, 1, 200}, {1, 2, 1, 1, 2, 300}, {2, 3, 2, 1, 2, 700},
      {4, 1, 0, 1, 1, 50},  {3, 0, 3, 1, 0, 100}, {1, 3, 1, 0, 2, 400},
  };
  for (size_t i = 0; i < sizeof choices / sizeof *choices; i++) {
    buf o = {.n = 0};
    b_random(&o, &r, 24); /* the hash checks: three values, no bytes */
    b_u8(&o, 0);
    b_u8(&o, choices[i][0]);
    if (choices[i][0] == 4) b_u8(&o, 30);
    b_u8(&o, choices[i][1]);
    if (choices[i][1] >= 2) b_u8(&o, 1 + (unsigned)i % 3);
    b_u8(&o, choices[i][2]), b_u8(&o, choices[i][3]), b_u8(&o, choices[i][4]);
    b_u16(&o, choices[i][5]);
    b_random(&o, &r, 1200);
    snprintf(name, sizeof name, "run-%zu.bin", i);
    put("hash", name, o.b, o.n);
  }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: make_corpus DIR\n");
    return 2;
  }
  root = argv[1];
  setenv("ACCELSTRAT_GPU", "off", 1);
  if (mkdir(root, 0755) != 0 && errno != EEXIST) {
    perror(root);
    return 1;
  }
  batchfiles();
  profiles();
  setenv("ACCELSTRAT_PROFILE", "off", 1);
  options();
  json();
  align();
  filter();
  hash();
  return 0;
}
