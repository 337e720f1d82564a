#include <accelstrat/error.h>
#include <accelstrat/report.h>

#include <stdio.h>

#include "internal.h"
#include "support/json.h"

const char *as_event_cause_name(as_event_cause c) {
  switch (c) {
  case AS_EVENT_GPU_UNAVAILABLE: return "gpu-unavailable";
  case AS_EVENT_GPU_OOM: return "gpu-oom";
  case AS_EVENT_GPU_DRIVER_ERROR: return "gpu-driver-error";
  case AS_EVENT_GPU_BUSY: return "gpu-busy";
  }
  return "unknown";
}

as_event *as__report_event(as_report *rep, as_event_cause cause, int64_t chunk,
                           uint64_t moved, uint64_t detect_ns,
                           const char *detail) {
  if (rep->n_events >= AS_MAX_EVENTS) {
    rep->events_dropped++;
    return NULL;
  }
  as_event *e = &rep->events[rep->n_events++];
  e->cause = cause;
  e->chunk = chunk;
  e->tasks_moved = moved;
  e->detect_ns = detect_ns;
  e->switch_ns = 0;
  snprintf(e->detail, sizeof e->detail, "%.95s", detail);
  return e;
}

static void report_json(as_json *j, const char *key, const as_report *rep) {
  char buf[32];
  as__json_object_begin(j, key);
  as__json_string(j, "kernel", rep->kernel);
  as__json_u64(j, "tasks", rep->tasks);
  as__json_u64(j, "work", rep->work);
  as__json_string(j, "requested",
                  as_strategy_format(rep->requested, buf, sizeof buf));
  as__json_string(j, "chosen",
                  as_strategy_format(rep->chosen, buf, sizeof buf));
  as__json_string(j, "reason", rep->reason);
  as__json_string(j, "gpu", rep->gpu);
  as__json_i64(j, "threads", rep->threads);
  as__json_i64(j, "thread_limit", rep->thread_limit);
  as__json_string(j, "thread_limit_by", rep->thread_limit_by);
  as__json_i64(j, "jobserver_tokens", rep->jobserver_tokens);
  as__json_i64(j, "gpu_slot", rep->gpu_slot);
  as__json_i64(j, "gpu_slots", rep->gpu_slots);
  as__json_object_begin(j, "predicted_ns");
  as__json_u64(j, "cpu", rep->predicted_ns[AS_PREDICT_CPU]);
  as__json_u64(j, "gpu", rep->predicted_ns[AS_PREDICT_GPU]);
  as__json_u64(j, "hybrid", rep->predicted_ns[AS_PREDICT_HYBRID]);
  as__json_object_end(j);
  as__json_double(j, "predicted_gpu_share", rep->predicted_gpu_share);
  as__json_string(j, "model", rep->model);
  as__json_u64(j, "select_ns", rep->select_ns);
  as__json_u64(j, "check_ns", rep->check_ns);
  as__json_u64(j, "exec_ns", rep->exec_ns);
  as__json_object_begin(j, "tasks_per_device");
  as__json_u64(j, "cpu", rep->tasks_on[AS_DEVICE_CPU]);
  as__json_u64(j, "gpu", rep->tasks_on[AS_DEVICE_GPU]);
  as__json_object_end(j);
  as__json_array_begin(j, "events");
  for (unsigned i = 0; i < rep->n_events && i < AS_MAX_EVENTS; i++) {
    const as_event *e = &rep->events[i];
    as__json_object_begin(j, NULL);
    as__json_string(j, "cause", as_event_cause_name(e->cause));
    as__json_i64(j, "chunk", e->chunk);
    as__json_u64(j, "tasks_moved", e->tasks_moved);
    as__json_u64(j, "detect_ns", e->detect_ns);
    as__json_u64(j, "switch_ns", e->switch_ns);
    as__json_string(j, "detail", e->detail);
    as__json_object_end(j);
  }
  as__json_array_end(j);
  as__json_u64(j, "events_dropped", rep->events_dropped);
  if (rep->error)
    as__json_string(j, "error", as_err_name(rep->error));
  else
    as__json_null(j, "error");
  as__json_object_end(j);
}

int as_report_write_json(const as_report *rep, FILE *f) {
  as_json j;
  as__json_init(&j, f);
  report_json(&j, NULL, rep);
  return ferror(f) ? AS_EIO : 0;
}
