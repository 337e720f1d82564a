/* Capabilities: cgroup v2 cpu.max parsing on fixture files, and the usable
 * CPU count following the affinity mask. */
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include <accelstrat/accelstrat.h>

#include "test_util.h"

static double parse_fixture(const char *dir, const char *name) {
  char path[4096], text[256] = "";
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "r");
  if (!f) {
    TEST_FAIL("cannot open fixture %s", path);
    return -2;
  }
  if (!fgets(text, sizeof text, f)) text[0] = '\0';
  fclose(f);
  return as_cgroup_parse_cpu_max(text);
}

static void cpu_max_fixtures(const char *dir) {
  CHECK(parse_fixture(dir, "unlimited") == 0);
  CHECK(parse_fixture(dir, "two") == 2.0);
  CHECK(parse_fixture(dir, "one-and-a-half") == 1.5);
  CHECK(parse_fixture(dir, "half") == 0.5);
  CHECK(parse_fixture(dir, "malformed-quota") < 0);
  CHECK(parse_fixture(dir, "malformed-short") < 0);
  CHECK(parse_fixture(dir, "zero-period") < 0);
}

static void usable_cpus_follow_affinity(void) {
  as_capabilities caps;
  as_capabilities_detect(&caps);
  printf("online %d, affinity %d, cgroup %.2f, usable %d, gpu %s\n",
         caps.online_cpus, caps.affinity_cpus, caps.cgroup_cpus,
         caps.usable_cpus, caps.gpu_backend);
  CHECK(caps.usable_cpus >= 1);
  CHECK(caps.usable_cpus <= caps.affinity_cpus);
  CHECK(caps.usable_cpus <= caps.online_cpus);
  if (caps.cgroup_cpus > 0)
    CHECK(caps.usable_cpus <= (int)caps.cgroup_cpus + 1);
  CHECK_INT_EQ(caps.gpu_count, 0);

  cpu_set_t saved, one;
  if (sched_getaffinity(0, sizeof saved, &saved) != 0) return;
  CPU_ZERO(&one);
  for (int c = 0; c < CPU_SETSIZE; c++)
    if (CPU_ISSET(c, &saved)) {
      CPU_SET(c, &one);
      break;
    }
  if (sched_setaffinity(0, sizeof one, &one) != 0) return;
  as_capabilities_detect(&caps);
  CHECK_INT_EQ(caps.affinity_cpus, 1);
  CHECK_INT_EQ(caps.usable_cpus, 1);
  sched_setaffinity(0, sizeof saved, &saved);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: test_caps FIXTURE_DIR\n");
    return 2;
  }
  cpu_max_fixtures(argv[1]);
  usable_cpus_follow_affinity();
  return test_finish("test_caps");
}
