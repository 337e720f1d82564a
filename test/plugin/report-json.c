// The record written by report=: one line of valid JSON with every field the
// README documents (Inputs/check_report.py checks the names and types and
// prints the values), the exact serialisation of the fixed part, escaping,
// replacement of an old file; a report that cannot be written fails the
// compile and leaves no object.
// RUN: rm -rf %t && mkdir -p %t && cp %S/Inputs/clones.c %t/

// RUN: cd %t && %clang -O0 -fplugin=%plugin -fplugin-arg-accelstrat-report=%t/r.json -c clones.c -o %t/r.o
// RUN: %python -m json.tool %t/r.json > /dev/null
// RUN: wc -l < %t/r.json | FileCheck %s --check-prefix=ONELINE
// ONELINE: {{^ *1$}}
// RUN: %python %S/Inputs/check_report.py %t/r.json | FileCheck %s --check-prefix=FIELDS
// FIELDS-NOT:  PROBLEM
// FIELDS:      record tool=accelstrat {{[0-9]+\.[0-9]+\.[0-9]+}} tu=clones.c functions=5 analysed=5 strategy=auto min_similarity=0.8 min_instructions=16 stage=early pairs=2 batches=3
// FIELDS-NEXT: pair sum_scaled_copy [sum_scaled_copy] clones.c:13:5 n=48 -> sum_scaled [sum_scaled] clones.c:3:5 n=48 identical=True similarity=1.0000 percent=100 lcs=48
// FIELDS-NEXT: pair sum_scaled_clamped [sum_scaled_clamped] clones.c:23:5 n=53 -> sum_scaled [sum_scaled] clones.c:3:5 n=48 identical=False similarity=0.9505 percent=95 lcs=48
// FIELDS-NEXT: batch filter tasks=3 requested=auto chosen=cpu threads>=1:True cpu=3 gpu=0 events=0 error=None
// FIELDS-NEXT: batch align tasks=1 requested=auto chosen=cpu threads>=1:True cpu=1 gpu=0 events=0 error=None
// FIELDS-NEXT: batch align tasks=1 requested=auto chosen=cpu threads>=1:True cpu=1 gpu=0 events=0 error=None
// FIELDS-NOT:  {{.}}

// The serialisation itself: field order and number formats of the record
// and the pairs, and the batch fields in their order.
// RUN: FileCheck %s --check-prefix=RAW < %t/r.json
// RAW:      {"tool":"accelstrat {{[0-9.]+}}","tu":"clones.c","functions":5,"functions_analysed":5,"candidate_pairs":1,"strategy":"auto","min_similarity":0.8,"min_instructions":16,"stage":"early","total_ns":{{[1-9][0-9]*}},"frontend_ns":{{[1-9][0-9]*}},"cpu_ns":{{[1-9][0-9]*}},"pairs":[
// RAW-SAME: {"function":{"name":"sum_scaled_copy","symbol":"sum_scaled_copy","file":"clones.c","line":13,"col":5,"instructions":48},"match":{"name":"sum_scaled","symbol":"sum_scaled","file":"clones.c","line":3,"col":5,"instructions":48},"identical":true,"similarity":1,"percent":100,"lcs":48,"strict_similarity":1,"differs":{"constants":0,"callees":0}},
// RAW-SAME: {"function":{"name":"sum_scaled_clamped","symbol":"sum_scaled_clamped","file":"clones.c","line":23,"col":5,"instructions":53},"match":{"name":"sum_scaled","symbol":"sum_scaled","file":"clones.c","line":3,"col":5,"instructions":48},"identical":false,"similarity":0.95049504950495{{[0-9]*}},"percent":95,"lcs":48,"strict_similarity":{{[0-9.]+}},"differs":{"constants":{{[0-9]+}},"callees":{{[0-9]+}}}}],
// RAW-SAME: "batches":[{"kernel":"filter","tasks":3,"work":{{[0-9]+}},"requested":"auto","chosen":"cpu","reason":"{{[^"]+}}",{{[^{}]*}}"threads":{{[1-9][0-9]*}},"thread_limit":{{[1-9][0-9]*}},"thread_limit_by":"{{[^"]+}}","jobserver_tokens":0,"gpu_slot":-1,"gpu_slots":0,"predicted_ns":{"cpu":{{[0-9]+}},"gpu":{{[0-9]+}},"hybrid":{{[0-9]+}}},"predicted_gpu_share":{{[0-9.e+-]+}},"model":"defaults","select_ns":{{[0-9]+}},"check_ns":{{[0-9]+}},"exec_ns":{{[0-9]+}},"tasks_per_device":{"cpu":3,"gpu":0},"events":[],{{[^{}]*}}"error":null},
// RAW-SAME: {"kernel":"align","tasks":1,
// RAW-SAME: {"kernel":"align","tasks":1,
// RAW-SAME: "error":null}]}{{$}}

// Options in force are recorded; a GPU request without a usable GPU records
// a gpu-unavailable event per batch with every event field (ACCELSTRAT_GPU
// =off makes the GPU unusable also where one exists).
// RUN: cd %t && env ACCELSTRAT_GPU=off %clang -O0 -fplugin=%plugin -fplugin-arg-accelstrat-strategy=gpu -fplugin-arg-accelstrat-min-similarity=0.9 -fplugin-arg-accelstrat-min-instructions=20 -fplugin-arg-accelstrat-stage=late -fplugin-arg-accelstrat-report=%t/gpu.json -c clones.c -o /dev/null
// RUN: %python %S/Inputs/check_report.py %t/gpu.json | FileCheck %s --check-prefix=GPU
// GPU-NOT:  PROBLEM
// GPU:      record tool=accelstrat {{[0-9.]+}} tu=clones.c functions=5 analysed=5 strategy=gpu min_similarity=0.9 min_instructions=20 stage=late pairs=2 batches=3
// GPU:      batch filter tasks=3 requested=gpu chosen=cpu threads>=1:True cpu=3 gpu=0 events=1 error=None
// GPU-NEXT: event gpu-unavailable chunk=-1 tasks_moved=3
// GPU-NEXT: batch align tasks=1 requested=gpu chosen=cpu threads>=1:True cpu=1 gpu=0 events=1 error=None
// GPU-NEXT: event gpu-unavailable chunk=-1 tasks_moved=1
// GPU-NEXT: batch align tasks=1 requested=gpu chosen=cpu threads>=1:True cpu=1 gpu=0 events=1 error=None
// GPU-NEXT: event gpu-unavailable chunk=-1 tasks_moved=1
// RUN: FileCheck %s --check-prefix=GPURAW < %t/gpu.json
// GPURAW: "events":[{"cause":"gpu-unavailable","chunk":-1,"tasks_moved":3,"detect_ns":{{[0-9]+}},"switch_ns":{{[0-9]+}},"detail":"{{[^"]+}}"}]

// A metrics line is the same record.
// RUN: cd %t && %clang -O0 -fplugin=%plugin -fplugin-arg-accelstrat-metrics=%t/m.jsonl -c clones.c -o /dev/null
// RUN: %python %S/Inputs/check_report.py %t/m.jsonl | FileCheck %s --check-prefix=FIELDS

// C++: demangled name, mangled symbol.
// RUN: %clangxx -O2 -fplugin=%plugin -fplugin-arg-accelstrat-report=%t/cxx.json -c %S/Inputs/clones.cpp -o /dev/null
// RUN: %python %S/Inputs/check_report.py %t/cxx.json | FileCheck %s --check-prefix=CXX
// CXX-NOT: PROBLEM
// CXX: pair long long geo::clamp_sum<long long>(long long const*, unsigned long, long long, long long) [_ZN3geo9clamp_sumIxEET_PKS1_mS1_S1_] {{.*}}clones.cpp:10:25 n={{[0-9]+}} -> long geo::clamp_sum<long>(long const*, unsigned long, long, long) [_ZN3geo9clamp_sumIlEET_PKS1_mS1_S1_] {{.*}}clones.cpp:10:25 n={{[0-9]+}} identical=True
// CXX: pair geo::Path::length_y(geo::Point const*, int) const [_ZNK3geo4Path8length_yEPKNS_5PointEi] {{.*}}clones.cpp:30:10 n=[[N:[0-9]+]] -> geo::Path::length_x(geo::Point const*, int) const [_ZNK3geo4Path8length_xEPKNS_5PointEi] {{.*}}clones.cpp:22:10 n=[[N]] identical=False similarity=1.0000 percent=100 lcs=[[N]]

// Escaping: '"' in a demangled name, '"' and '\' in a file name.
// RUN: cd %t && %clangxx -O0 -fplugin=%plugin -fplugin-arg-accelstrat-report=%t/esc.json -c %S/Inputs/json_escapes.cpp -o /dev/null
// RUN: %python %S/Inputs/check_report.py %t/esc.json | FileCheck %s --check-prefix=ESC
// ESC-NOT: PROBLEM
// ESC: pair operator"" _kib(unsigned long long) [_Zli4_kiby] {{.*}}json_escapes.cpp:11:{{[0-9]+}} n={{[0-9]+}} -> operator"" _kb(unsigned long long) [_Zli3_kby] {{.*}}json_escapes.cpp:3:{{[0-9]+}} n={{[0-9]+}} identical=True
// RUN: cp %S/Inputs/clones.c '%t/we"ird\ name.c'
// RUN: cd %t && %clang -O0 -fplugin=%plugin -fplugin-arg-accelstrat-report=%t/file.json -c 'we"ird\ name.c' -o /dev/null
// RUN: %python %S/Inputs/check_report.py %t/file.json | FileCheck %s --check-prefix=FILE
// FILE-NOT: PROBLEM
// FILE: record tool=accelstrat {{[0-9.]+}} tu=we"ird\ name.c functions=5
// FILE: pair sum_scaled_copy [sum_scaled_copy] we"ird\ name.c:13:5 n=48 -> sum_scaled [sum_scaled] we"ird\ name.c:3:5 n=48 identical=True

// report= replaces an existing file (here a longer one), it does not append.
// RUN: %python -c "open('%t/old.json', 'w').write('x' * 100000 + '\n' + 'y\n')"
// RUN: cd %t && %clang -O0 -fplugin=%plugin -fplugin-arg-accelstrat-report=%t/old.json -c clones.c -o /dev/null
// RUN: %python -c "import json; json.load(open('%t/old.json'))"
// RUN: wc -l < %t/old.json | FileCheck %s --check-prefix=ONELINE

// A report that cannot be written fails the compile: an error naming the path
// and the reason, no object, and an object left by an earlier compile is
// removed.
// RUN: cp %t/r.o %t/stale.o
// RUN: cd %t && not %clang -O0 -fplugin=%plugin -fplugin-arg-accelstrat-report=%t/no-such-dir/r.json -c clones.c -o %t/stale.o 2>&1 | FileCheck %s --check-prefix=NODIR -DT=%t
// RUN: test ! -e %t/stale.o
// RUN: test ! -e %t/no-such-dir
// NODIR: error: accelstrat: cannot write report '[[T]]/no-such-dir/r.json': No such file or directory
// NODIR-NOT: error:
// RUN: cd %t && not %clang -O0 -fplugin=%plugin -fplugin-arg-accelstrat-report=%t -c clones.c -o %t/dir.o 2>&1 | FileCheck %s --check-prefix=ISDIR -DT=%t
// RUN: test ! -e %t/dir.o
// ISDIR: error: accelstrat: cannot write report '[[T]]': Is a directory
// The same through the environment, and for the metrics file.
// RUN: cd %t && env ACCELSTRAT_REPORT=%t/no-such-dir/r.json not %clang -O0 -fplugin=%plugin -c clones.c -o %t/env.o 2>&1 | FileCheck %s --check-prefix=NODIR -DT=%t
// RUN: test ! -e %t/env.o
// RUN: cd %t && not %clang -O0 -fplugin=%plugin -fplugin-arg-accelstrat-metrics=%t/no-such-dir/m.jsonl -c clones.c -o %t/m.o 2>&1 | FileCheck %s --check-prefix=METRICS -DT=%t
// RUN: test ! -e %t/m.o
// METRICS: error: accelstrat: cannot append metrics to '[[T]]/no-such-dir/m.jsonl': No such file or directory
