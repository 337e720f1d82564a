#include <accelstrat/executor.h>

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

double as_cgroup_parse_cpu_max(const char *text) {
  char quota[32];
  long long period;
  if (sscanf(text, "%31s %lld", quota, &period) != 2 || period <= 0) return -1;
  if (strcmp(quota, "max") == 0) return 0;
  char *end;
  long long q = strtoll(quota, &end, 10);
  if (*end || q <= 0) return -1;
  return (double)q / (double)period;
}

static double read_cpu_max(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  char line[128];
  double cpus = 0;
  if (fgets(line, sizeof line, f)) cpus = as_cgroup_parse_cpu_max(line);
  fclose(f);
  return cpus > 0 ? cpus : 0;
}

/* The tightest cpu.max from this process's cgroup up to the root: a parent's
 * quota limits its children too. 0 when nothing limits. */
static double cgroup_cpus(void) {
  FILE *f = fopen("/proc/self/cgroup", "r");
  if (!f) return 0;
  char line[4096], rel[4096] = "";
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "0::", 3) == 0) { /* the cgroup v2 hierarchy */
      snprintf(rel, sizeof rel, "%s", line + 3);
      rel[strcspn(rel, "\n")] = '\0';
      break;
    }
  }
  fclose(f);
  double best = 0;
  for (;;) {
    char path[4200];
    snprintf(path, sizeof path, "/sys/fs/cgroup%s/cpu.max",
             strcmp(rel, "/") == 0 ? "" : rel);
    double cpus = read_cpu_max(path);
    if (cpus > 0 && (best == 0 || cpus < best)) best = cpus;
    char *slash = strrchr(rel, '/');
    if (!slash || slash == rel) {
      if (strcmp(rel, "/") == 0 || rel[0] == '\0') break;
      strcpy(rel, "/");
    } else {
      *slash = '\0';
    }
  }
  return best;
}

static char model_name[64] = "unknown";
static pthread_once_t model_once = PTHREAD_ONCE_INIT;

static void read_model_name(void) {
  FILE *f = fopen("/proc/cpuinfo", "r");
  char line[512];
  while (f && fgets(line, sizeof line, f)) {
    const char *colon = strchr(line, ':');
    if (strncmp(line, "model name", 10) != 0 || !colon) continue;
    colon += 1 + strspn(colon + 1, " \t");
    snprintf(model_name, sizeof model_name, "%.*s", (int)strcspn(colon, "\n"),
             colon);
    break;
  }
  if (f) fclose(f);
}

const char *as__cpu_model(void) {
  pthread_once(&model_once, read_model_name); /* read once per process */
  return model_name;
}

/* The fewest of the online CPUs, the affinity mask and the cgroup quota
 * (rounded up: a quota of 1.5 CPUs keeps two threads busy part of the time,
 * and rounding up wastes less than rounding down), at least 1; *by names the
 * bound. */
static int cpu_bound(const as_capabilities *caps, as_bound_kind *by) {
  int limit = caps->online_cpus > 0 ? caps->online_cpus : 1;
  *by = AS_BOUND_ONLINE;
  if (caps->affinity_cpus > 0 && caps->affinity_cpus < limit) {
    limit = caps->affinity_cpus;
    *by = AS_BOUND_AFFINITY;
  }
  if (caps->cgroup_cpus > 0 && (int)ceil(caps->cgroup_cpus) < limit) {
    limit = (int)ceil(caps->cgroup_cpus);
    *by = AS_BOUND_CGROUP;
  }
  return limit;
}

void as_capabilities_detect(as_capabilities *caps) {
  memset(caps, 0, sizeof *caps);
  snprintf(caps->cpu_model, sizeof caps->cpu_model, "%s", as__cpu_model());
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  caps->online_cpus = online > 0 ? (int)online : 1;
  cpu_set_t set;
  caps->affinity_cpus = sched_getaffinity(0, sizeof set, &set) == 0
                            ? CPU_COUNT(&set)
                            : caps->online_cpus;
  caps->cgroup_cpus = cgroup_cpus();
  as_bound_kind by;
  caps->usable_cpus = cpu_bound(caps, &by);
  caps->gpu_count = 0;
  snprintf(caps->gpu_backend, sizeof caps->gpu_backend, "none");
}

int as__thread_bound(const as_capabilities *caps, int requested, int jobserver,
                     double loadavg, as_thread_bound *bound) {
  int limit = cpu_bound(caps, &bound->by);
  if (requested > 0) {
    if (requested < limit) {
      limit = requested;
      bound->by = AS_BOUND_THREADS;
    }
  } else if (!jobserver && loadavg >= 0) {
    /* Nobody shares out the CPUs: leave what others keep busy to them. */
    int idle = (int)floor(caps->online_cpus - loadavg + 0.5);
    if (idle < limit) {
      limit = idle > 1 ? idle : 1;
      bound->by = AS_BOUND_LOAD;
    }
  }
  bound->limit = limit;
  bound->load = loadavg;
  return limit;
}

void as__thread_bound_format(const as_thread_bound *b,
                             const as_capabilities *caps,
                             const char *jobserver_detail, char *buf,
                             size_t len) {
  switch (b->by) {
  case AS_BOUND_ONLINE: snprintf(buf, len, "online %d", b->limit); break;
  case AS_BOUND_AFFINITY: snprintf(buf, len, "affinity %d", b->limit); break;
  case AS_BOUND_CGROUP:
    snprintf(buf, len, "cgroup cpu.max %.3g", caps->cgroup_cpus);
    break;
  case AS_BOUND_THREADS: snprintf(buf, len, "threads=%d", b->limit); break;
  case AS_BOUND_LOAD:
    snprintf(buf, len, "load average %.2f of %d CPUs", b->load,
             caps->online_cpus);
    break;
  case AS_BOUND_JOBSERVER:
    snprintf(buf, len, "jobserver: %d token%s", b->limit,
             b->limit == 1 ? "" : "s");
    break;
  case AS_BOUND_JOBSERVER_UNREACHABLE:
    snprintf(buf, len, "jobserver unreachable: %s", jobserver_detail);
    break;
  case AS_BOUND_TASKS: snprintf(buf, len, "tasks %d", b->limit); break;
  }
}

int as__thread_limit(const as_capabilities *caps, int requested, int jobserver,
                     double loadavg, char *why, size_t len) {
  as_thread_bound b;
  int limit = as__thread_bound(caps, requested, jobserver, loadavg, &b);
  as__thread_bound_format(&b, caps, "", why, len);
  return limit;
}
