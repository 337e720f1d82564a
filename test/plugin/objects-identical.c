// The pass never changes the IR: every object compiled with the plugin is
// byte for byte the object compiled without it, for C (Inputs/clones.c) and
// C++ (Inputs/clones.cpp), at -O0 and -O2, with and without -g, and however
// the plugin is loaded or configured. Each plugin compile also proves that
// the pass ran (remarks, report, metrics), so a plugin that silently did
// nothing cannot pass.
// RUN: rm -rf %t && mkdir -p %t

// Objects are compared with cmp; a difference fails the loop and names the
// combination. The baseline is always the plain compile without the plugin
// and without -Rpass: location tracking turned on by the plugin or by -Rpass
// must not change the code either.
// RUN: n=0; \
// RUN: for src in %S/Inputs/clones.c %S/Inputs/clones.cpp; do \
// RUN:   case $src in *.cpp) cc=%clangxx;; *) cc=%clang;; esac; \
// RUN:   for opt in "-O0" "-O2" "-O0 -g" "-O2 -g"; do \
// RUN:     $cc $opt -c $src -o %t/base.o || exit 1; \
// RUN:     for v in "-fplugin=%plugin" \
// RUN:              "-fplugin=%plugin -Rpass-analysis=accelstrat" \
// RUN:              "-fplugin=%plugin -fplugin-arg-accelstrat-report=%t/report.json -fplugin-arg-accelstrat-metrics=%t/m.jsonl" \
// RUN:              "-fplugin=%plugin -fplugin-arg-accelstrat-stage=late -Rpass-analysis=accelstrat" \
// RUN:              "-fplugin=%plugin -fplugin-arg-accelstrat-strategy=gpu -fplugin-arg-accelstrat-threads=1 -fplugin-arg-accelstrat-min-similarity=0.5 -Rpass-analysis=accelstrat" \
// RUN:              "-fpass-plugin=%plugin -Rpass-analysis=accelstrat" \
// RUN:              "-fplugin=%plugin -fpass-plugin=%plugin -Rpass-analysis=accelstrat"; do \
// RUN:       n=$((n+1)); rm -f %t/p.o %t/report.json; \
// RUN:       $cc $opt $v -c $src -o %t/p.o 2>%t/err.$n || { echo "compile failed: $src $opt $v"; exit 1; }; \
// RUN:       cmp %t/base.o %t/p.o || { echo "object differs: $src $opt $v"; exit 1; }; \
// RUN:       case "$v" in *Rpass*) grep -q "remark: .* is identical to " %t/err.$n || { echo "no remark: $src $opt $v"; exit 1; };; esac; \
// RUN:       case "$v" in *report=*) test -s %t/report.json || { echo "no report: $src $opt $v"; exit 1; };; esac; \
// RUN:     done; \
// RUN:     ACCELSTRAT_STAGE=late ACCELSTRAT_METRICS=%t/m.jsonl $cc $opt -fpass-plugin=%plugin -c $src -o %t/p.o || exit 1; \
// RUN:     cmp %t/base.o %t/p.o || { echo "object differs: $src $opt -fpass-plugin with ACCELSTRAT_STAGE=late"; exit 1; }; \
// RUN:   done; \
// RUN: done; echo "compiles: $n" > %t/count.txt
// RUN: FileCheck %s --check-prefix=COUNT < %t/count.txt
// COUNT: compiles: 56

// Every metrics= compile appended its line: 8 from the argument, 8 from the
// environment (2 sources x 4 option sets).
// RUN: wc -l < %t/m.jsonl | FileCheck %s --check-prefix=LINES
// LINES: {{^ *16$}}
// RUN: grep -c '"stage":"late"' %t/m.jsonl | FileCheck %s --check-prefix=LATE
// LATE: {{^8$}}

// The objects really do depend on what is compiled (cmp is not vacuous), and
// the pass found the same pairs in every configuration with the default
// similarity: C at -O0 without -g, C++ at -O2 with -g.
// RUN: %clang -O0 -c %S/Inputs/clones.c -o %t/c-O0.o
// RUN: %clang -O2 -c %S/Inputs/clones.c -o %t/c-O2.o
// RUN: not cmp -s %t/c-O0.o %t/c-O2.o
// RUN: FileCheck %s --check-prefix=C --input-file=%t/err.2
// RUN: FileCheck %s --check-prefix=CXX --input-file=%t/err.51
// C: clones.c:13:5: remark: 'sum_scaled_copy' is identical to 'sum_scaled' ({{.*}}clones.c:3:5) [-Rpass-analysis=accelstrat]
// C: clones.c:23:5: remark: 'sum_scaled_clamped' is 95% similar to 'sum_scaled' ({{.*}}clones.c:3:5) [-Rpass-analysis=accelstrat]
// C-NOT: remark:
// CXX: clones.cpp:10:25: remark: 'long long geo::clamp_sum<long long>(long long const*, unsigned long, long long, long long)' is identical to 'long geo::clamp_sum<long>(long const*, unsigned long, long, long)' ({{.*}}clones.cpp:10:25)
// CXX: clones.cpp:30:10: remark: 'geo::Path::length_y(geo::Point const*, int) const' is 100% similar to 'geo::Path::length_x(geo::Point const*, int) const' ({{.*}}clones.cpp:22:10)
// CXX-NOT: remark:
