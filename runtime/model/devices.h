/* The facts the cost model keeps about each device, beside its rates: its
 * key (what the rates are kept under), and its start-up cost and memory,
 * kept in the profile so that a process can predict before it wakes a
 * device. The CPU's start-up is a team of several OpenMP threads' first
 * start in a process; a GPU's, its context's creation. The GPU layer
 * reports what its probes find (gpu/gpu.h); it is recorded here.
 * Thread-safe. */
#ifndef ACCELSTRAT_RUNTIME_MODEL_DEVICES_H
#define ACCELSTRAT_RUNTIME_MODEL_DEVICES_H

#include <stddef.h>

/* This CPU's key: "cpu/MODEL", characters outside [A-Za-z0-9._-] turned
 * into '_' (a GPU's key is the GPU layer's: as__gpu_key). */
void as__model_cpu_key(char *buf, size_t len);

/* The first start of a team of several threads in a process on the CPU of
 * cpu_key, as calibration measured it (a default until it has). */
double as__model_cpu_team_start_ns(const char *cpu_key);
void as__model_note_cpu_team_start(const char *cpu_key, double ns);

/* Per GPU backend ("cuda", "sim"): the key of its last device seen on this
 * host, and that device's context creation time and memory (defaults for a
 * device it has not seen). */
int as__model_last_gpu(const char *backend, char *key, size_t len);
double as__model_gpu_start_ns(const char *backend, const char *key);
double as__model_gpu_mem(const char *backend, const char *key);
void as__model_note_gpu(const char *backend, const char *key, double start_ns,
                        double mem);

/* The backend found no device (a stale note would make every process
 * predict, and probe, a GPU that is not there): the note goes on save. */
void as__model_forget_gpu(const char *backend);

#endif
