/* Every setting the runtime reads, in one list: the keys of as_config
 * (as_config_set, ACCELSTRAT_KEY in as_config_init, the plugin's keys of the
 * same name) and those read from the environment alone (process-wide, or,
 * for inject, an executor's when it is created).
 * Adding a setting is one row here, its setter (config.c) or its reader,
 * and its documentation; as_setting_at() shows the list to the plugin's
 * help and error messages.
 *
 * X(ID, name, env_only, accepted, default, what): the environment variable
 * is ACCELSTRAT_ and the name in upper case with '-' as '_'. */
#ifndef ACCELSTRAT_RUNTIME_SETTINGS_H
#define ACCELSTRAT_RUNTIME_SETTINGS_H

#include <accelstrat/config.h>
#include <accelstrat/inject.h>

#define AS__GPU_SLOTS_DEFAULT 2
#define AS__GPU_SLOTS_MAX 64
#define AS__GPU_SLOT_DIR_DEFAULT "/tmp/accelstrat-gpu-slots"

#define AS__STRINGIFY(x) #x
#define AS__STRING(x) AS__STRINGIFY(x)

#define AS_SETTING_MAP(X)                                                      \
  X(STRATEGY, "strategy", 0, AS_STRATEGY_VALUES, "auto", "where batches run")  \
  X(FALLBACK, "fallback", 0, AS_FALLBACK_VALUES, "on",                         \
    "finish on the CPU when the GPU fails (off: fail instead)")                \
  X(THREADS, "threads", 0, AS_THREADS_VALUES, "auto", "CPU threads at most")   \
  X(INJECT, "inject", 1, AS_INJECT_VALUES, "none",                             \
    "plant a GPU fault at the backend boundary (tests, checking a set-up)")    \
  X(GPU, "gpu", 1, "cuda|sim|off", "cuda", "the GPU backend")                  \
  X(CUDA_LIBRARY, "cuda-library", 1, "PATH", "libaccelstrat-cuda.so",          \
    "the CUDA backend's module (default: next to the runtime)")                \
  X(SIM, "sim", 1, "memory=BYTES[K|M|G],speed=F,startup=MS", "",               \
    "the sim backend's device")                                                \
  X(GPU_SLOTS, "gpu-slots", 1, "N (1<=N<=" AS__STRING(AS__GPU_SLOTS_MAX) ")",  \
    AS__STRING(AS__GPU_SLOTS_DEFAULT),                                         \
    "processes holding a context on one GPU at a time")                        \
  X(GPU_SLOT_DIR, "gpu-slot-dir", 1, "DIR", AS__GPU_SLOT_DIR_DEFAULT,          \
    "where the GPU slots' lock files are")                                     \
  X(PROFILE, "profile", 1, "PATH|off", "(the cache directory)",                \
    "the cost model's profile of this host")

typedef enum as_setting_id {
#define AS_SETTING_ID(id, ...) AS_SETTING_##id,
  AS_SETTING_MAP(AS_SETTING_ID)
#undef AS_SETTING_ID
      AS_SETTING_COUNT
} as_setting_id;

/* The setting's environment variable and its value now (NULL when unset);
 * a process-wide setting is read where it is used, through here. */
const char *as__setting_env_name(as_setting_id id);
const char *as__setting_env(as_setting_id id);

#endif
