/* The cost model's profile reader (runtime/model/profile.c) on any text,
 * and its writer on what it read. The input, with every "@HOST@" replaced
 * by this host's name (so that a committed corpus is a profile of any host
 * it runs on), is written to the file ACCELSTRAT_PROFILE names and read
 * into the model's store, whose records must then be within the bounds
 * the format documents. Every record is then marked as this process's news
 * and saved: the file written must read back without a warning and with
 * the same records (numbers as the writer rounds them), and a second save
 * of what was read back must write the same bytes again. (A profile with
 * two records of one key is read, but saving merges them by key, so the
 * exact comparisons leave such files out.) */
#include "fuzz_util.h"

#include <math.h>

#include <accelstrat/profile.h>

#include "internal.h"
#include "model/profile.h"
#include "model/store.h"

static char host[64];
static as_model_store first, second; /* large */

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  char raw[64] = "localhost";
  gethostname(raw, sizeof raw - 1);
  as__name_copy(host, sizeof host, raw);
  setenv("ACCELSTRAT_PROFILE", fuzz_path(0, "profile.txt"), 1);
  setenv("ACCELSTRAT_GPU", "off", 1);
  fuzz_quiet_stdio_stderr(); /* a bad profile's warning, every run */
  return 0;
}

/* A value of the file: NUL-terminated in its field, not empty, no space
 * or newline (the writer separates fields by spaces). */
static void check_word(const char *s, size_t cap, const char *what) {
  size_t len = strnlen(s, cap);
  FUZZ_CHECK(len > 0 && len < cap, "%s of length %zu", what, len);
  FUZZ_CHECK(!strpbrk(s, " \n"), "%s '%s' has a separator", what, s);
}

static void check_in(double v, double lo, double hi, const char *what) {
  FUZZ_CHECK(isfinite(v) && v >= lo && v <= hi, "%s %g outside [%g, %g]", what,
             v, lo, hi);
}

/* What the reader may have put in the store; 1 when two records share a
 * key. */
static int check_store(const as_model_store *s) {
  int dup = 0;
  FUZZ_CHECK(s->n >= 0 && s->n <= AS_MODEL_MAX_RATES, "%d rates", s->n);
  FUZZ_CHECK(s->ng >= 0 && s->ng <= AS_MODEL_MAX_NOTES, "%d notes", s->ng);
  for (int i = 0; i < s->n; i++) {
    const as_model_entry *e = &s->e[i];
    const as_rates *r = &e->r;
    check_word(e->kernel, sizeof e->kernel, "kernel");
    check_word(e->device, sizeof e->device, "device");
    check_in(r->batch_ns, 0, 1e12, "batch_ns");
    check_in(r->task_ns, 0, 1e12, "task_ns");
    check_in(r->unit_ns, 0, 1e9, "unit_ns");
    check_in(r->lane_ns, 0, 1e9, "lane_ns");
    check_in(r->byte_ns, 0, 1e6, "byte_ns");
    check_in(r->eff, 0.01, 1.5, "eff");
    FUZZ_CHECK(r->calibrated == 0 || r->calibrated == 1, "calibrated %d",
               r->calibrated);
    FUZZ_CHECK(e->n_ratios >= 0 && e->n_ratios <= AS_MODEL_WINDOW, "%d ratios",
               e->n_ratios);
    for (int k = 0; k < e->n_ratios; k++)
      check_in(e->ratios[k], 1e-3, 1e3, "ratio");
    FUZZ_CHECK(!e->replaced && !e->n_fresh, "a record read as news");
    for (int j = 0; j < i; j++)
      dup |= s->e[j].version == e->version &&
             strcmp(s->e[j].kernel, e->kernel) == 0 &&
             strcmp(s->e[j].device, e->device) == 0;
  }
  for (int i = 0; i < s->ng; i++) {
    const as_model_note *g = &s->g[i];
    check_word(g->backend, sizeof g->backend, "backend");
    check_word(g->key, sizeof g->key, "key");
    check_in(g->init_ns, 0, 1e12, "init_ns");
    check_in(g->mem, 0, 1e18, "mem");
    FUZZ_CHECK(!g->dirty && !g->gone, "a note read as news");
    for (int j = 0; j < i; j++) dup |= strcmp(s->g[j].backend, g->backend) == 0;
  }
  return dup;
}

/* Reads the profile afresh into *copy; the warnings it printed. */
static unsigned load(as_model_store *copy) {
  as__model_reset();
  *copy = *as__model_lock();
  as__model_unlock();
  return as__model_warnings();
}

/* Marks every record of the store as this process's news and saves. */
static void save_all(void) {
  as_model_store *s = as__model_lock();
  for (int i = 0; i < s->n; i++) s->e[i].replaced = 1;
  for (int i = 0; i < s->ng; i++) s->g[i].dirty = 1;
  as__model_unlock();
  int rc = as_profile_save();
  FUZZ_CHECK(rc == 0, "as_profile_save: %d", rc);
}

/* a and b equal to the digits the writer keeps (%.6g, %.4g). */
static int near(double a, double b, double digits) {
  return fabs(a - b) <= fabs(a) * digits + 1e-300;
}

static void check_same(const as_model_store *a, const as_model_store *b) {
  FUZZ_CHECK(a->n == b->n && a->ng == b->ng,
             "%d rates and %d notes, read "
             "back %d and %d",
             a->n, a->ng, b->n, b->ng);
  for (int i = 0; i < a->n; i++) {
    const as_model_entry *x = &a->e[i], *y = &b->e[i];
    FUZZ_CHECK(strcmp(x->kernel, y->kernel) == 0 &&
                   strcmp(x->device, y->device) == 0 &&
                   x->version == y->version,
               "rates %d: %s/%u/%s read back as %s/%u/%s", i, x->kernel,
               x->version, x->device, y->kernel, y->version, y->device);
    const as_rates *r = &x->r, *q = &y->r;
    FUZZ_CHECK(near(r->batch_ns, q->batch_ns, 1e-5) &&
                   near(r->task_ns, q->task_ns, 1e-5) &&
                   near(r->unit_ns, q->unit_ns, 1e-5) &&
                   near(r->lane_ns, q->lane_ns, 1e-5) &&
                   near(r->byte_ns, q->byte_ns, 1e-5) &&
                   near(r->eff, q->eff, 1e-3) && r->calibrated == q->calibrated,
               "rates %d changed when written", i);
    FUZZ_CHECK(x->n_ratios == y->n_ratios, "rates %d: %d ratios, read back %d",
               i, x->n_ratios, y->n_ratios);
    for (int k = 0; k < x->n_ratios; k++)
      FUZZ_CHECK(near(x->ratios[k], y->ratios[k], 1e-3), "ratio %g read as %g",
                 x->ratios[k], y->ratios[k]);
  }
  for (int i = 0; i < a->ng; i++) {
    const as_model_note *x = &a->g[i], *y = &b->g[i];
    FUZZ_CHECK(
        strcmp(x->backend, y->backend) == 0 && strcmp(x->key, y->key) == 0 &&
            near(x->init_ns, y->init_ns, 1e-5) && near(x->mem, y->mem, 1e-5),
        "note %d (%s %s) changed when written", i, x->backend, x->key);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_path(0, "profile.txt");
  size_t hlen = strlen(host), cap = size + 1 + size / 6 * hlen, n = 0;
  char *text = malloc(cap);
  for (size_t i = 0; i < size;) {
    if (size - i >= 6 && memcmp(data + i, "@HOST@", 6) == 0) {
      memcpy(text + n, host, hlen), n += hlen, i += 6;
    } else {
      text[n++] = (char)data[i++];
    }
  }
  fuzz_write_file(path, text, n);
  free(text);

  load(&first);
  int dup = check_store(&first);
  if (first.n == 0 && first.ng == 0) return 0; /* nothing to save */
  save_all();
  size_t size1 = 0, size2 = 0;
  unsigned char *written = fuzz_read_file(path, &size1);
  FUZZ_CHECK(written != NULL, "no profile after a save");

  unsigned warned = load(&second);
  FUZZ_CHECK(warned == 0, "the profile the writer wrote is refused in part");
  check_store(&second);
  if (!dup) check_same(&first, &second);
  save_all();
  unsigned char *again = fuzz_read_file(path, &size2);
  FUZZ_CHECK(again != NULL, "no profile after the second save");
  if (!dup)
    FUZZ_CHECK(size1 == size2 && memcmp(written, again, size1) == 0,
               "saving what was read back wrote other bytes (%zu, %zu)", size1,
               size2);
  free(written);
  free(again);
  return 0;
}
