// Every key, its accepted values and its errors; the environment and which
// one wins. Inputs/clones.c has one identical pair and one 95% pair of
// functions of 48, 48 and 53 instructions.
// RUN: rm -rf %t && mkdir -p %t

// strategy: every spelling runs; a GPU request without a GPU falls back.
// RUN: for s in auto cpu gpu hybrid hybrid:0.3 hybrid:1; do \
// RUN:   %clang -fplugin=%plugin -fplugin-arg-accelstrat-strategy=$s -fplugin-arg-accelstrat-report=%t/$s.json -c %S/Inputs/clones.c -o %t/$s.o || exit 1; \
// RUN: done
// RUN: FileCheck %s --check-prefix=AUTO < %t/auto.json
// RUN: FileCheck %s --check-prefix=CPU < %t/cpu.json
// RUN: FileCheck %s --check-prefix=GPU < %t/gpu.json
// RUN: FileCheck %s --check-prefix=HYBRID < %t/hybrid:0.3.json
// AUTO: "strategy":"auto"
// AUTO: "kernel":"filter",{{.*}}"requested":"auto","chosen":"cpu","reason":"auto: {{[^"]*}}",{{.*}}"events":[],
// CPU: "kernel":"filter",{{.*}}"requested":"cpu","chosen":"cpu","reason":"cpu requested{{[^"]*}}",{{.*}}"events":[],
// GPU: "kernel":"filter",{{.*}}"requested":"gpu","chosen":"cpu",{{.*}}"tasks_per_device":{"cpu":3,"gpu":0},"events":[{"cause":"gpu-unavailable","chunk":-1,"tasks_moved":3,
// HYBRID: "requested":"hybrid:0.3","chosen":"cpu",{{.*}}"cause":"gpu-unavailable"
// RUN: %clang -fplugin=%plugin -fplugin-arg-accelstrat-strategy=gpu -Rpass-analysis=accelstrat -c %S/Inputs/clones.c -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOTE
// NOTE: remark: strategy=gpu fell back to the CPU (gpu-unavailable: {{.+}}); 3 fallbacks, 5 tasks moved

// fallback=off makes a GPU request mandatory: the compile fails, no object.
// RUN: rm -f %t/off.o
// RUN: not %clang -fplugin=%plugin -fplugin-arg-accelstrat-strategy=gpu -fplugin-arg-accelstrat-fallback=off -c %S/Inputs/clones.c -o %t/off.o 2>&1 | FileCheck %s --check-prefix=OFF
// RUN: test ! -e %t/off.o
// RUN: %clang -fplugin=%plugin -fplugin-arg-accelstrat-strategy=cpu -fplugin-arg-accelstrat-fallback=off -c %S/Inputs/clones.c -o /dev/null
// OFF: error: accelstrat: {{.*}}clones.c: filter batch (3 tasks): gpu requested, GPU unavailable ({{.+}}) and fallback=off
// RUN: %clang -fplugin=%plugin -fplugin-arg-accelstrat-fallback=on -fplugin-arg-accelstrat-strategy=hybrid -c %S/Inputs/clones.c -o /dev/null

// threads: at most N.
// RUN: %clang -fplugin=%plugin -fplugin-arg-accelstrat-threads=1 -fplugin-arg-accelstrat-report=%t/t1.json -c %S/Inputs/clones.c -o /dev/null
// RUN: FileCheck %s --check-prefix=T1 < %t/t1.json
// T1-NOT: "threads":2
// T1: "threads":1
// RUN: %clang -fplugin=%plugin -fplugin-arg-accelstrat-threads=auto -c %S/Inputs/clones.c -o /dev/null

// min-similarity and min-instructions filter what is reported.
// RUN: %clang -fplugin=%plugin -fplugin-arg-accelstrat-min-similarity=0.96 -Rpass-analysis=accelstrat -c %S/Inputs/clones.c -o /dev/null 2>&1 | FileCheck %s --check-prefix=SIM96
// SIM96: 'sum_scaled_copy' is identical to 'sum_scaled'
// SIM96-NOT: similar
// RUN: %clang -fplugin=%plugin -fplugin-arg-accelstrat-min-similarity=0.95 -Rpass-analysis=accelstrat -c %S/Inputs/clones.c -o /dev/null 2>&1 | FileCheck %s --check-prefix=SIM95
// SIM95: 'sum_scaled_clamped' is 95% similar to 'sum_scaled'
// RUN: %clang -fplugin=%plugin -fplugin-arg-accelstrat-min-instructions=49 -Rpass-analysis=accelstrat -c %S/Inputs/clones.c -o /dev/null 2>&1 | FileCheck %s --check-prefix=INS49 --allow-empty
// INS49-NOT: remark
// RUN: %clang -fplugin=%plugin -fplugin-arg-accelstrat-min-instructions=48 -fplugin-arg-accelstrat-report=%t/i48.json -c %S/Inputs/clones.c -o /dev/null
// RUN: FileCheck %s --check-prefix=INS48 < %t/i48.json
// INS48: "functions_analysed":3,

// stage=late runs at the end of the pipeline (-O0: the same IR as early).
// RUN: %clang -O0 -fplugin=%plugin -fplugin-arg-accelstrat-stage=late -fplugin-arg-accelstrat-report=%t/late.json -Rpass-analysis=accelstrat -c %S/Inputs/clones.c -o /dev/null 2>&1 | FileCheck %s --check-prefix=LATE
// RUN: FileCheck %s --check-prefix=LATEJSON < %t/late.json
// LATE: 'sum_scaled_copy' is identical to 'sum_scaled'
// LATEJSON: "stage":"late"
// RUN: %clang -O0 -fplugin=%plugin -fplugin-arg-accelstrat-stage=early -Rpass-analysis=accelstrat -c %S/Inputs/clones.c -o /dev/null 2>&1 | FileCheck %s --check-prefix=LATE

// metrics: appended, one line per compile.
// RUN: %clang -fplugin=%plugin -fplugin-arg-accelstrat-metrics=%t/m.jsonl -c %S/Inputs/clones.c -o /dev/null
// RUN: %clang -fplugin=%plugin -fplugin-arg-accelstrat-metrics=%t/m.jsonl -c %S/Inputs/clones.c -o /dev/null
// RUN: wc -l < %t/m.jsonl | FileCheck %s --check-prefix=TWO
// TWO: {{^ *2$}}

// help prints every key to stderr; the compile goes on.
// RUN: %clang -fplugin=%plugin -fplugin-arg-accelstrat-help -c %S/Inputs/clones.c -o %t/help.o 2>&1 | FileCheck %s --check-prefix=HELP
// RUN: test -s %t/help.o
// HELP: accelstrat: near-duplicate function finder
// HELP: strategy {{.*}}auto|cpu|gpu|hybrid|hybrid:F{{.*}}[default: auto]
// HELP: fallback {{.*}}on|off{{.*}}[default: on]
// HELP: threads {{.*}}[default: auto]
// HELP: inject {{.*}}gpu-unavailable|gpu-oom[@CHUNK]|gpu-driver-error[@CHUNK]{{.*}}[default: none]
// HELP: min-similarity {{.*}}[default: 0.80]
// HELP: min-instructions {{.*}}[default: 16]
// HELP: stage {{.*}}early|late{{.*}}[default: early]
// HELP: report {{.*}}PATH
// HELP: metrics {{.*}}PATH
// HELP: dump {{.*}}DIR
// HELP: help

// Bad values and unknown keys fail the compile, name the key and what it
// accepts, and leave no object behind.
// RUN: for arg in strategy=fast strategy=hybrid:2 strategy= fallback=maybe threads=0 threads=-3 threads=2x \
// RUN:            min-similarity=0 min-similarity=1.5 min-similarity=abc min-instructions=0 min-instructions=ten \
// RUN:            stage=middle report= metrics= dump= colour=red; do \
// RUN:   rm -f %t/bad.o; \
// RUN:   if %clang -fplugin=%plugin -fplugin-arg-accelstrat-$arg -c %S/Inputs/clones.c -o %t/bad.o 2>>%t/bad.txt; then exit 1; fi; \
// RUN:   test ! -e %t/bad.o || exit 1; \
// RUN: done
// RUN: FileCheck %s --check-prefix=BAD < %t/bad.txt
// BAD: error: accelstrat: invalid value 'fast' for 'strategy'; accepted: auto|cpu|gpu|hybrid|hybrid:F (0<=F<=1)
// BAD: error: accelstrat: invalid value 'hybrid:2' for 'strategy'
// BAD: error: accelstrat: invalid value '' for 'strategy'
// BAD: error: accelstrat: invalid value 'maybe' for 'fallback'; accepted: on|off (or yes|no, true|false, 1|0; any case)
// BAD: error: accelstrat: invalid value '0' for 'threads'; accepted: N (1<=N<=4096)|auto
// BAD: error: accelstrat: invalid value '-3' for 'threads'
// BAD: error: accelstrat: invalid value '2x' for 'threads'
// BAD: error: accelstrat: invalid value '0' for 'min-similarity'; accepted: X (0<X<=1)
// BAD: error: accelstrat: invalid value '1.5' for 'min-similarity'
// BAD: error: accelstrat: invalid value 'abc' for 'min-similarity'
// BAD: error: accelstrat: invalid value '0' for 'min-instructions'; accepted: N (1<=N<=100000000)
// BAD: error: accelstrat: invalid value 'ten' for 'min-instructions'
// BAD: error: accelstrat: invalid value 'middle' for 'stage'; accepted: early|late
// BAD: error: accelstrat: invalid value '' for 'report'; accepted: PATH
// BAD: error: accelstrat: invalid value '' for 'metrics'; accepted: PATH
// BAD: error: accelstrat: invalid value '' for 'dump'; accepted: DIR
// BAD: error: accelstrat: unknown key 'colour'; known keys: strategy, fallback, threads, inject, min-similarity, min-instructions, stage, system-headers, search, report, metrics, dump, index, help

// A key without a value is an error too (only help takes none).
// RUN: not %clang -fplugin=%plugin -fplugin-arg-accelstrat-strategy -c %S/Inputs/clones.c -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOVALUE
// NOVALUE: error: accelstrat: invalid value '' for 'strategy'

// The environment: ACCELSTRAT_KEY sets a key; an argument wins over it; a
// bad variable is an error that names the variable.
// RUN: env ACCELSTRAT_MIN_SIMILARITY=0.96 %clang -fplugin=%plugin -Rpass-analysis=accelstrat -c %S/Inputs/clones.c -o /dev/null 2>&1 | FileCheck %s --check-prefix=SIM96
// RUN: env ACCELSTRAT_MIN_SIMILARITY=0.96 %clang -fplugin=%plugin -fplugin-arg-accelstrat-min-similarity=0.9 -Rpass-analysis=accelstrat -c %S/Inputs/clones.c -o /dev/null 2>&1 | FileCheck %s --check-prefix=SIM95
// RUN: env ACCELSTRAT_STRATEGY=gpu ACCELSTRAT_FALLBACK=off not %clang -fplugin=%plugin -c %S/Inputs/clones.c -o /dev/null 2>&1 | FileCheck %s --check-prefix=OFF
// RUN: env ACCELSTRAT_STRATEGY=gpu ACCELSTRAT_FALLBACK=off %clang -fplugin=%plugin -fplugin-arg-accelstrat-fallback=on -c %S/Inputs/clones.c -o /dev/null
// RUN: env ACCELSTRAT_STAGE=sideways not %clang -fplugin=%plugin -c %S/Inputs/clones.c -o /dev/null 2>&1 | FileCheck %s --check-prefix=ENVBAD
// RUN: env ACCELSTRAT_STAGE=sideways not %clang -fplugin=%plugin -fplugin-arg-accelstrat-stage=late -c %S/Inputs/clones.c -o /dev/null 2>&1 | FileCheck %s --check-prefix=ENVBAD
// ENVBAD: error: accelstrat: invalid value 'sideways' for 'stage' (from ACCELSTRAT_STAGE); accepted: early|late
// RUN: env ACCELSTRAT_HELP=1 %clang -fplugin=%plugin -c %S/Inputs/clones.c -o /dev/null 2>&1 | FileCheck %s --check-prefix=HELP
// RUN: env ACCELSTRAT_THREADS=1 %clang -fplugin=%plugin -fplugin-arg-accelstrat-report=%t/envt.json -c %S/Inputs/clones.c -o /dev/null
// RUN: FileCheck %s --check-prefix=T1 < %t/envt.json
