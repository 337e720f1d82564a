#define _GNU_SOURCE
/* accelstrat-calibrate: measures the built-in kernels on this host's CPU and
 * GPU and writes the profile that auto-selection predicts from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <accelstrat/accelstrat.h>

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: accelstrat-calibrate [--threads N] [--samples N] [--no-gpu]\n"
      "                            [--profile PATH] [--quiet] [--path]\n"
      "Measures filter and align on one CPU thread, on N threads\n"
      "(default: all usable) and on the GPU when one is usable\n"
      "(ACCELSTRAT_GPU=cuda|sim|off), and writes the fitted rates to the\n"
      "profile: --profile PATH, else ACCELSTRAT_PROFILE, else\n"
      "$XDG_CACHE_HOME/accelstrat/profile-HOST.txt or\n"
      "~/.cache/accelstrat/profile-HOST.txt. --path prints that path only.\n");
}

static int number(const char *s, int lo, int hi, int *out) {
  char *end;
  long v = s ? strtol(s, &end, 10) : 0;
  if (!s || *end || end == s || v < lo || v > hi) return -1;
  *out = (int)v;
  return 0;
}

int main(int argc, char **argv) {
  as_calibration c;
  as_calibration_defaults(&c);
  c.log = stdout;
  int only_path = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--threads") == 0 || strcmp(a, "--samples") == 0) {
      int *dst = a[2] == 't' ? &c.threads : &c.samples;
      if (number(v, 1, a[2] == 't' ? 4096 : 64, dst) < 0) {
        fprintf(stderr, "accelstrat-calibrate: %s needs a number (%s)\n", a,
                a[2] == 't' ? "1..4096" : "1..64");
        return 2;
      }
      i++;
    } else if (strcmp(a, "--profile") == 0 && v) {
      setenv("ACCELSTRAT_PROFILE", v, 1);
      i++;
    } else if (strcmp(a, "--no-gpu") == 0) {
      c.gpu = 0;
    } else if (strcmp(a, "--quiet") == 0) {
      c.log = NULL;
    } else if (strcmp(a, "--path") == 0) {
      only_path = 1;
    } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    } else {
      fprintf(stderr, "accelstrat-calibrate: unknown argument '%s'\n", a);
      usage(stderr);
      return 2;
    }
  }
  if (only_path) {
    char path[4096];
    if (as_profile_path(path, sizeof path) < 0) {
      fprintf(stderr, "accelstrat-calibrate: profiles are off\n");
      return 1;
    }
    printf("%s\n", path);
    return 0;
  }
  char err[512] = "";
  int rc = as_calibrate(&c, err, sizeof err);
  if (rc < 0) {
    fprintf(stderr, "accelstrat-calibrate: %s (%s)\n", err, as_strerror(rc));
    return 1;
  }
  return 0;
}
