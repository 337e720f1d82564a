/* accelstrat-gpu-check's results: the markdown table on stdout and, with
 * --json, the record (support/json.h's writer). */
#define _GNU_SOURCE
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "gpu_check.h"
#include "support/json.h"

static double rate(double work, double seconds) {
  return seconds > 0 ? work / seconds : 0;
}

static void json_machine(as_json *j, const char *model, int threads,
                         size_t free_b) {
  as__json_object_begin(j, "device");
  as__json_string(j, "name", gc.gpu.name);
  as__json_string(j, "driver", gc.gpu.driver);
  as__json_i64(j, "devices", gc.gpu.devices);
  as__json_u64(j, "total_mem", gc.gpu.total_mem);
  as__json_u64(j, "free_mem", free_b);
  as__json_object_end(j);
  as__json_object_begin(j, "machine");
  as__json_string(j, "cpu", model);
  as__json_i64(j, "online_cpus", sysconf(_SC_NPROCESSORS_ONLN));
  as__json_i64(j, "threads", threads);
  as__json_object_end(j);
}

static void json_conformance(as_json *j) {
  as__json_array_begin(j, "conformance");
  for (int i = 0; i < gc_res.n_conf; i++) {
    const gc_conf_result *r = &gc_res.conf[i];
    as__json_object_begin(j, NULL);
    as__json_string(j, "kernel", r->kernel);
    as__json_string(j, "case", r->name);
    as__json_u64(j, "tasks", r->tasks);
    as__json_bool(j, "ok", r->ok);
    as__json_string(j, "detail", r->detail);
    as__json_object_end(j);
  }
  as__json_array_end(j);
  as__json_object_begin(j, "oom");
  as__json_string(j, "status", gc_res.oom_status);
  as__json_string(j, "detail", gc_res.oom_detail);
  as__json_object_end(j);
}

static void json_throughput(as_json *j) {
  as__json_array_begin(j, "throughput");
  for (int i = 0; i < gc_res.n_perf; i++) {
    const gc_perf_result *p = &gc_res.perf[i];
    as__json_object_begin(j, NULL);
    as__json_string(j, "kernel", p->kernel);
    as__json_string(j, "workload", p->workload);
    as__json_string(j, "unit", p->unit);
    as__json_double(j, "work", p->work);
    as__json_i64(j, "runs", p->runs);
    as__json_bool(j, "ok", p->ok);
    as__json_double(j, "gpu_s", p->gpu_s);
    as__json_double(j, "cpu_s", p->cpu_s);
    as__json_double(j, "gpu_rate", rate(p->work, p->gpu_s));
    as__json_double(j, "cpu_rate", rate(p->work, p->cpu_s));
    as__json_double(j, "speedup", p->gpu_s > 0 ? p->cpu_s / p->gpu_s : 0);
    as__json_object_end(j);
  }
  as__json_array_end(j);
}

int gc_write_json(const char *path, unsigned long long seed, const char *model,
                  int threads, size_t free_b) {
  FILE *f = fopen(path, "w");
  if (!f) {
    perror(path);
    return -1;
  }
  char date[32];
  time_t t = time(NULL);
  strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
  as_json j;
  as__json_init(&j, f);
  as__json_object_begin(&j, NULL);
  as__json_string(&j, "tool", "accelstrat-gpu-check");
  as__json_string(&j, "date", date);
  as__json_u64(&j, "seed", seed);
  as__json_bool(&j, "quick", gc.quick);
  json_machine(&j, model, threads, free_b);
  json_conformance(&j);
  json_throughput(&j);
  as__json_bool(&j, "ok", !gc_res.failed);
  as__json_object_end(&j);
  fputc('\n', f);
  return fclose(f) ? -1 : 0;
}

void gc_print_table(const char *model, int threads) {
  printf(
      "\n| kernel | workload | GPU (%s) | CPU (%d threads, %s) | speedup |\n",
      gc.gpu.name, threads, model);
  printf("|---|---|---:|---:|---:|\n");
  for (int i = 0; i < gc_res.n_perf; i++) {
    const gc_perf_result *p = &gc_res.perf[i];
    if (!p->ok) {
      printf("| %s | %s | failed | failed | |\n", p->kernel, p->workload);
      continue;
    }
    printf("| %s | %s | %.4g %s | %.4g %s | %.2fx |\n", p->kernel, p->workload,
           rate(p->work, p->gpu_s), p->unit, rate(p->work, p->cpu_s), p->unit,
           p->cpu_s / p->gpu_s);
  }
  printf("\nconformance: %d cases, %d failed; oom: %s\n", gc_res.n_conf,
         gc_res.failed, gc_res.oom_status);
}
