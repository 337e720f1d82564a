// The pass never changes the IR: every object compiled with the plugin is
// byte for byte the object compiled without it, for C (Inputs/clones.c) and
// C++ (Inputs/clones.cpp), at -O0 and -O2, with and without -g, and however
// the plugin is loaded or configured (every key). The compiles also prove
// that the pass ran (remarks, report, metrics, help), so a plugin that
// silently did nothing cannot pass.
// RUN: rm -rf %t && mkdir -p %t

// Objects are compared with cmp; a difference fails the loop and names the
// combination. The baseline is the same compile without the plugin: plain,
// or with -Rpass-analysis= where the variant has it, since clang itself
// turns on location tracking for -Rpass* and that alone can change code
// (bzip2's blocksort.c at -O2: 13672 bytes plain, 13624 with -Rpass). The
// plugin turns nothing on: report= and metrics= (which once turned on
// tracking) must give the plain object. Every key is set in some variant.
// RUN: n=0; \
// RUN: for src in %S/Inputs/clones.c %S/Inputs/clones.cpp; do \
// RUN:   case $src in *.cpp) cc=%clangxx;; *) cc=%clang;; esac; \
// RUN:   for opt in "-O0" "-O2" "-O0 -g" "-O2 -g"; do \
// RUN:     $cc $opt -c $src -o %t/base.o || exit 1; \
// RUN:     $cc $opt -Rpass-analysis=accelstrat -c $src -o %t/base-rpass.o || exit 1; \
// RUN:     for v in "-fplugin=%plugin" \
// RUN:              "-fplugin=%plugin -fplugin-arg-accelstrat-report=%t/report.json" \
// RUN:              "-fplugin=%plugin -fplugin-arg-accelstrat-metrics=%t/m.jsonl" \
// RUN:              "-fplugin=%plugin -fplugin-arg-accelstrat-report=%t/report.json -fplugin-arg-accelstrat-metrics=%t/m.jsonl -fplugin-arg-accelstrat-dump=%t/dump -fplugin-arg-accelstrat-system-headers=include -fplugin-arg-accelstrat-min-instructions=4 -fplugin-arg-accelstrat-min-similarity=0.5 -fplugin-arg-accelstrat-strategy=cpu -fplugin-arg-accelstrat-threads=1 -fplugin-arg-accelstrat-fallback=off" \
// RUN:              "-fplugin=%plugin -fplugin-arg-accelstrat-stage=late -fplugin-arg-accelstrat-report=%t/report.json" \
// RUN:              "-fplugin=%plugin -fplugin-arg-accelstrat-strategy=gpu -fplugin-arg-accelstrat-inject=gpu-unavailable -fplugin-arg-accelstrat-report=%t/report.json" \
// RUN:              "-fplugin=%plugin -fplugin-arg-accelstrat-help -fplugin-arg-accelstrat-system-headers=skip" \
// RUN:              "-fplugin=%plugin -Rpass-analysis=accelstrat" \
// RUN:              "-fplugin=%plugin -fplugin-arg-accelstrat-stage=late -Rpass-analysis=accelstrat" \
// RUN:              "-fplugin=%plugin -fplugin-arg-accelstrat-strategy=gpu -fplugin-arg-accelstrat-threads=1 -fplugin-arg-accelstrat-min-similarity=0.5 -Rpass-analysis=accelstrat" \
// RUN:              "-fplugin=%plugin -fplugin-arg-accelstrat-report=%t/report.json -Rpass-analysis=accelstrat" \
// RUN:              "-fpass-plugin=%plugin -Rpass-analysis=accelstrat" \
// RUN:              "-fplugin=%plugin -fpass-plugin=%plugin -Rpass-analysis=accelstrat"; do \
// RUN:       n=$((n+1)); rm -f %t/p.o %t/report.json; \
// RUN:       case "$v" in *Rpass*) base=%t/base-rpass.o;; *) base=%t/base.o;; esac; \
// RUN:       $cc $opt $v -c $src -o %t/p.o 2>%t/err.$n || { echo "compile failed: $src $opt $v"; exit 1; }; \
// RUN:       cmp $base %t/p.o || { echo "object differs: $src $opt $v"; exit 1; }; \
// RUN:       case "$v" in *Rpass*) grep -q "remark: .* is identical to " %t/err.$n || { echo "no remark: $src $opt $v"; exit 1; };; esac; \
// RUN:       case "$v" in *report=*) test -s %t/report.json || { echo "no report: $src $opt $v"; exit 1; };; esac; \
// RUN:       case "$v" in *help*) grep -q "system-headers" %t/err.$n || { echo "no help: $src $opt $v"; exit 1; };; esac; \
// RUN:     done; \
// RUN:     ACCELSTRAT_STAGE=late ACCELSTRAT_METRICS=%t/m.jsonl $cc $opt -fpass-plugin=%plugin -c $src -o %t/p.o || exit 1; \
// RUN:     cmp %t/base.o %t/p.o || { echo "object differs: $src $opt -fpass-plugin with ACCELSTRAT_STAGE=late"; exit 1; }; \
// RUN:     rm -f %t/report.json; ACCELSTRAT_REPORT=%t/report.json ACCELSTRAT_SYSTEM_HEADERS=include $cc $opt -fplugin=%plugin -c $src -o %t/p.o || exit 1; \
// RUN:     cmp %t/base.o %t/p.o || { echo "object differs: $src $opt -fplugin with ACCELSTRAT_REPORT"; exit 1; }; \
// RUN:     test -s %t/report.json || { echo "no report: $src $opt ACCELSTRAT_REPORT"; exit 1; }; \
// RUN:   done; \
// RUN: done; echo "compiles: $n" > %t/count.txt
// RUN: FileCheck %s --check-prefix=COUNT < %t/count.txt
// COUNT: compiles: 104

// Every metrics= compile appended its line: 2 variants from the argument,
// 1 from the environment, for 2 sources x 4 option sets.
// RUN: wc -l < %t/m.jsonl | FileCheck %s --check-prefix=LINES
// LINES: {{^ *24$}}
// RUN: grep -c '"stage":"late"' %t/m.jsonl | FileCheck %s --check-prefix=LATE
// LATE: {{^8$}}

// The objects really do depend on what is compiled (cmp is not vacuous), and
// the pass found the same pairs in every configuration with the default
// similarity: C at -O0 without -g, C++ at -O2 with -g.
// RUN: %clang -O0 -c %S/Inputs/clones.c -o %t/c-O0.o
// RUN: %clang -O2 -c %S/Inputs/clones.c -o %t/c-O2.o
// RUN: not cmp -s %t/c-O0.o %t/c-O2.o
// RUN: FileCheck %s --check-prefix=C --input-file=%t/err.8
// RUN: FileCheck %s --check-prefix=CXX --input-file=%t/err.99
// C: clones.c:13:5: remark: 'sum_scaled_copy' is identical to 'sum_scaled' ({{.*}}clones.c:3:5) [-Rpass-analysis=accelstrat]
// C: clones.c:23:5: remark: 'sum_scaled_clamped' is 95% similar to 'sum_scaled' ({{.*}}clones.c:3:5); {{differs in [^[]+}} [-Rpass-analysis=accelstrat]
// C-NOT: remark:
// CXX: clones.cpp:10:25: remark: 'long long geo::clamp_sum<long long>(long long const*, unsigned long, long long, long long)' is identical to 'long geo::clamp_sum<long>(long const*, unsigned long, long, long)' ({{.*}}clones.cpp:10:25)
// CXX: clones.cpp:30:10: remark: 'geo::Path::length_y(geo::Point const*, int) const' is 100% similar to 'geo::Path::length_x(geo::Point const*, int) const' ({{.*}}clones.cpp:22:10)
// CXX-NOT: remark:
