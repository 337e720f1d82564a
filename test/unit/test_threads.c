/* Threads a run may use (as__thread_limit): the minimum of threads=, the
 * online CPUs, the affinity mask and the cgroup v2 quota (from the fixture
 * files of Inputs/cgroup through as_cgroup_parse_cpu_max), and, with neither
 * a jobserver nor threads=, what the load average leaves; the reason names
 * the bound. */
#include <stdio.h>
#include <string.h>

#include <accelstrat/accelstrat.h>

#include "internal.h"
#include "test_util.h"

static double quota(const char *dir, const char *name) {
  char path[512], text[128] = "";
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "r");
  if (!f || !fgets(text, sizeof text, f)) TEST_FAIL("cannot read %s", path);
  if (f) fclose(f);
  return as_cgroup_parse_cpu_max(text);
}

typedef struct limit_case {
  int online, affinity;
  const char *cgroup; /* fixture file, or NULL */
  int requested, jobserver;
  double load;
  int limit;
  const char *why; /* prefix */
} limit_case;

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "Inputs/cgroup";
  const limit_case cases[] = {
      {16, 16, NULL, 0, 0, -1, 16, "online 16"},
      {16, 4, NULL, 0, 0, -1, 4, "affinity 4"},
      {16, 16, "one-and-a-half", 0, 0, -1, 2, "cgroup cpu.max 1.5"},
      {16, 16, "two", 0, 0, -1, 2, "cgroup cpu.max 2"},
      {16, 16, "half", 0, 0, -1, 1, "cgroup cpu.max 0.5"},
      {16, 16, "unlimited", 0, 0, -1, 16, "online 16"},
      {16, 8, "two", 3, 0, -1, 2, "cgroup"}, /* threads=3 above the quota */
      {16, 8, "unlimited", 3, 0, 12.0, 3,
       "threads=3"}, /* threads= ignores the load */
      {16, 16, NULL, 0, 0, 12.2, 4, "load average 12.20 of 16 CPUs"},
      {16, 16, NULL, 0, 0, 0.3, 16, "online 16"},
      {16, 16, NULL, 0, 0, 40.0, 1, "load average 40.00"},
      {16, 16, NULL, 0, 1, 40.0, 16,
       "online 16"}, /* a jobserver decides instead */
      {2, 2, NULL, 0, 0, 1.4, 1, "load average 1.40 of 2 CPUs"},
      {2, 2, NULL, 0, 0, 0.6, 1, "load average"},
      {2, 2, NULL, 0, 0, 0.4, 2, "online 2"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const limit_case *c = &cases[i];
    as_capabilities caps;
    memset(&caps, 0, sizeof caps);
    caps.online_cpus = c->online;
    caps.affinity_cpus = c->affinity;
    caps.cgroup_cpus = c->cgroup ? quota(dir, c->cgroup) : 0;
    char why[64];
    int got = as__thread_limit(&caps, c->requested, c->jobserver, c->load, why,
                               sizeof why);
    CHECK_MSG(got == c->limit && strncmp(why, c->why, strlen(c->why)) == 0,
              "case %zu: limit %d (%s), expected %d (%s...)", i, got, why,
              c->limit, c->why);
  }
  /* Malformed quotas limit nothing. */
  CHECK(quota(dir, "malformed-quota") < 0);
  CHECK(quota(dir, "zero-period") < 0);
  return test_finish("test_threads");
}
