/* Using the accelstrat runtime without the plugin: a kernel of one's own (a
 * CPU function over a range of tasks) run over a ragged batch. Each task sums
 * the squares of its integers; the program checks every output against a
 * plain loop and prints the run's report as JSON. */
#include <stdio.h>
#include <stdlib.h>

#include <accelstrat/accelstrat.h>

static uint64_t sum_squares_cost(const as_batch *b, size_t i) {
  size_t bytes;
  as_task_input(b, i, &bytes);
  return bytes / sizeof(int32_t) + 1;
}

static int sum_squares_cpu(const as_batch *b, size_t begin, size_t end) {
  for (size_t i = begin; i < end; i++) {
    size_t bytes;
    const int32_t *v = as_task_input(b, i, &bytes);
    int64_t sum = 0;
    for (size_t k = 0; k < bytes / sizeof *v; k++) sum += (int64_t)v[k] * v[k];
    *(int64_t *)as_task_output(b, i) = sum;
  }
  return 0;
}

static const as_kernel sum_squares = {
    .name = "sum-squares",
    .version = 1,
    .out_size = sizeof(int64_t),
    .cost = sum_squares_cost,
    .cpu = sum_squares_cpu,
};

int main(int argc, char **argv) {
  size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
  /* Task i holds i % 97 integers: a ragged input. */
  uint64_t *offsets = malloc((n + 1) * sizeof *offsets);
  size_t total = 0;
  for (size_t i = 0; i < n; i++) total += i % 97;
  int32_t *data = malloc((total ? total : 1) * sizeof *data);
  int64_t *out = malloc((n ? n : 1) * sizeof *out);
  if (!offsets || !data || !out) return 1;
  size_t at = 0;
  for (size_t i = 0; i < n; i++) {
    offsets[i] = at * sizeof *data;
    for (size_t k = 0; k < i % 97; k++)
      data[at++] = (int32_t)(i * 31 + k) % 1000 - 500;
  }
  offsets[n] = at * sizeof *data;

  char err[256];
  as_config cfg;
  if (as_config_init(&cfg, err, sizeof err) < 0) {
    fprintf(stderr, "runtime-api: %s\n", err);
    return 2;
  }
  as_executor *ex;
  int rc = as_executor_create(&cfg, &ex);
  if (rc < 0) {
    fprintf(stderr, "runtime-api: %s\n", as_strerror(rc));
    return 2;
  }
  as_batch batch = {.kernel = &sum_squares,
                    .n = n,
                    .data = data,
                    .offsets = offsets,
                    .out = out};
  as_report rep;
  rc = as_run(ex, &batch, &rep);
  as_report_write_json(&rep, stdout);
  putchar('\n');
  if (rc < 0) {
    fprintf(stderr, "runtime-api: as_run: %s (%s)\n", as_strerror(rc),
            rep.reason);
    return 3;
  }
  size_t wrong = 0;
  for (size_t i = 0; i < n; i++) {
    int64_t expect = 0;
    for (uint64_t k = offsets[i] / 4; k < offsets[i + 1] / 4; k++)
      expect += (int64_t)data[k] * data[k];
    wrong += out[i] != expect;
  }
  printf("%zu tasks, %zu wrong, strategy %s, %d threads\n", n, wrong,
         as_strategy_kind_name(rep.chosen.kind), rep.threads);
  as_executor_destroy(ex);
  free(offsets);
  free(data);
  free(out);
  return wrong ? 4 : 0;
}
