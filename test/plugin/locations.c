// Where the remarks point: file:line:col on the remark itself (with the
// source line and caret) and in the text for the matched function, with and
// without -g, in C and C++; the same in the optimisation record
// (-fsave-optimization-record); and the TU's file name when there are no
// debug locations at all. Compiled from inside %t so that file names are
// short and do not depend on where the tree is.
// RUN: rm -rf %t && mkdir -p %t && cp %S/Inputs/clones.c %S/Inputs/clones.cpp %t/

// Without -g, -fplugin= turns on location tracking (as -Rpass does) but
// emits no debug info; with -g (or line tables only) the locations are the
// same.
// RUN: cd %t && %clang -O0 -fplugin=%plugin -Rpass-analysis=accelstrat -c clones.c -o %t/nog0.o 2>&1 | FileCheck %s --strict-whitespace
// RUN: cd %t && %clang -O2 -fplugin=%plugin -Rpass-analysis=accelstrat -c clones.c -o %t/nog2.o 2>&1 | FileCheck %s --strict-whitespace
// RUN: cd %t && %clang -O0 -g -fplugin=%plugin -Rpass-analysis=accelstrat -c clones.c -o %t/g0.o 2>&1 | FileCheck %s --strict-whitespace
// RUN: cd %t && %clang -O2 -g -fplugin=%plugin -Rpass-analysis=accelstrat -c clones.c -o %t/g2.o 2>&1 | FileCheck %s --strict-whitespace
// RUN: cd %t && %clang -O2 -gline-tables-only -fplugin=%plugin -Rpass-analysis=accelstrat -c clones.c -o /dev/null 2>&1 | FileCheck %s --strict-whitespace
// RUN: cd %t && %clang -O2 -fpass-plugin=%plugin -Rpass-analysis=accelstrat -c clones.c -o /dev/null 2>&1 | FileCheck %s --strict-whitespace
// CHECK:      {{^}}clones.c:13:5: remark: 'sum_scaled_copy' is identical to 'sum_scaled' (clones.c:3:5) [-Rpass-analysis=accelstrat]
// CHECK-NEXT: {{^}}   13 | int sum_scaled_copy(const int *v, int n, int factor) {
// CHECK-NEXT: {{^}}      |     ^
// CHECK-NEXT: {{^}}clones.c:23:5: remark: 'sum_scaled_clamped' is 95% similar to 'sum_scaled' (clones.c:3:5); differs in 5 instructions and 2 constants [-Rpass-analysis=accelstrat]
// CHECK-NEXT: {{^}}   23 | int sum_scaled_clamped(const int *data, int len, int mul) {
// CHECK-NEXT: {{^}}      |     ^
// CHECK-NOT:  remark:

// The objects without -g have no debug sections; those with -g have.
// RUN: llvm-readelf -S %t/nog0.o | FileCheck %s --check-prefix=NODEBUG
// RUN: llvm-readelf -S %t/nog2.o | FileCheck %s --check-prefix=NODEBUG
// RUN: llvm-readelf -S %t/g2.o | FileCheck %s --check-prefix=DEBUG
// NODEBUG: .text
// NODEBUG-NOT: .debug_
// DEBUG: .debug_info

// The report carries the same locations.
// RUN: cd %t && %clang -O2 -fplugin=%plugin -fplugin-arg-accelstrat-report=%t/nog.json -c clones.c -o /dev/null
// RUN: cd %t && %clang -O2 -g -fplugin=%plugin -fplugin-arg-accelstrat-report=%t/g.json -c clones.c -o /dev/null
// RUN: FileCheck %s --check-prefix=JSON < %t/nog.json
// RUN: FileCheck %s --check-prefix=JSON < %t/g.json
// JSON: "pairs":[{"function":{"name":"sum_scaled_copy","symbol":"sum_scaled_copy","file":"clones.c","line":13,"col":5,"instructions":{{[0-9]+}}},"match":{"name":"sum_scaled","symbol":"sum_scaled","file":"clones.c","line":3,"col":5,
// JSON-SAME: {"function":{"name":"sum_scaled_clamped","symbol":"sum_scaled_clamped","file":"clones.c","line":23,"col":5,"instructions":{{[0-9]+}}},"match":{"name":"sum_scaled","symbol":"sum_scaled","file":"clones.c","line":3,"col":5,

// C++: the column is the one of the unqualified name, also for templates
// and methods, with and without -g.
// RUN: cd %t && %clangxx -O2 -fplugin=%plugin -Rpass-analysis=accelstrat -c clones.cpp -o /dev/null 2>&1 | FileCheck %s --check-prefix=CXX --strict-whitespace
// RUN: cd %t && %clangxx -O2 -g -fplugin=%plugin -Rpass-analysis=accelstrat -c clones.cpp -o /dev/null 2>&1 | FileCheck %s --check-prefix=CXX --strict-whitespace
// CXX:      {{^}}clones.cpp:10:25: remark: 'long long geo::clamp_sum<long long>(long long const*, unsigned long, long long, long long)' is identical to 'long geo::clamp_sum<long>(long const*, unsigned long, long, long)' (clones.cpp:10:25) [-Rpass-analysis=accelstrat]
// CXX-NEXT: {{^}}   10 | template <typename T> T clamp_sum(const T *v, std::size_t n, T lo, T hi) {
// CXX-NEXT: {{^}}      |                         ^
// CXX-NEXT: {{^}}clones.cpp:30:10: remark: 'geo::Path::length_y(geo::Point const*, int) const' is 100% similar to 'geo::Path::length_x(geo::Point const*, int) const' (clones.cpp:22:10); {{differs in [^[]+}} [-Rpass-analysis=accelstrat]
// CXX-NEXT: {{^}}   30 |   double length_y(const Point *p, int n) const {
// CXX-NEXT: {{^}}      |          ^
// CXX-NOT:  remark:

// -fsave-optimization-record writes the same remarks, with a DebugLoc, to
// the record file, without -g and with it; the remarks of other passes stay
// (first run) and -foptimization-record-passes= keeps only ours (the others).
// RUN: cd %t && %clang -O2 -fplugin=%plugin -fsave-optimization-record -foptimization-record-file=%t/x.yaml -c clones.c -o /dev/null
// RUN: FileCheck %s --check-prefix=YAML < %t/x.yaml
// RUN: FileCheck %s --check-prefix=OTHERS < %t/x.yaml
// OTHERS: Pass: loop-vectorize
// RUN: cd %t && %clang -O0 -fplugin=%plugin -fsave-optimization-record -foptimization-record-file=%t/only0.yaml -foptimization-record-passes=accelstrat -c clones.c -o /dev/null
// RUN: FileCheck %s --check-prefixes=YAML,ONLY < %t/only0.yaml
// RUN: cd %t && %clang -O2 -g -fplugin=%plugin -fsave-optimization-record -foptimization-record-file=%t/only2.yaml -foptimization-record-passes=accelstrat -c clones.c -o /dev/null
// RUN: FileCheck %s --check-prefixes=YAML,ONLY < %t/only2.yaml
// The record does not need -Rpass, nor -fplugin=.
// RUN: cd %t && %clang -O2 -fpass-plugin=%plugin -fsave-optimization-record -foptimization-record-file=%t/pass.yaml -foptimization-record-passes=accelstrat -c clones.c -o /dev/null
// RUN: FileCheck %s --check-prefixes=YAML,ONLY < %t/pass.yaml
// YAML:      --- !Analysis
// YAML-NEXT: Pass: accelstrat
// YAML-NEXT: Name: NearDuplicate
// YAML-NEXT: DebugLoc: { File: clones.c, Line: 13, Column: 5 }
// YAML-NEXT: Function: sum_scaled_copy
// YAML-NEXT: Args:
// YAML-NEXT:   - String: '''sum_scaled_copy'' is identical to ''sum_scaled'' (clones.c:3:5)'
// YAML-NEXT: ...
// YAML:      --- !Analysis
// YAML-NEXT: Pass: accelstrat
// YAML-NEXT: Name: NearDuplicate
// YAML-NEXT: DebugLoc: { File: clones.c, Line: 23, Column: 5 }
// YAML-NEXT: Function: sum_scaled_clamped
// YAML-NEXT: Args:
// YAML-NEXT:   - String: '''sum_scaled_clamped'' is 95% similar to ''sum_scaled'' (clones.c:3:5); differs in 5 instructions and 2 constants'
// YAML-NEXT: ...
// ONLY-NOT:  Pass:

// A function in a header: its own file and line, in the remark text and in
// the report.
// RUN: sed -n 3,10p %t/clones.c > %t/sum.h
// RUN: printf '#include "sum.h"\n\n' > %t/hdr.c && sed -n 13,20p %t/clones.c >> %t/hdr.c
// RUN: cd %t && %clang -O2 -fplugin=%plugin -Rpass-analysis=accelstrat -fplugin-arg-accelstrat-report=%t/hdr.json -c hdr.c -o /dev/null 2>&1 | FileCheck %s --check-prefix=HDR
// RUN: FileCheck %s --check-prefix=HDRJSON < %t/hdr.json
// HDR: hdr.c:3:5: remark: 'sum_scaled_copy' is identical to 'sum_scaled' (./sum.h:1:5) [-Rpass-analysis=accelstrat]
// HDR-NOT: remark:
// HDRJSON: "function":{"name":"sum_scaled_copy","symbol":"sum_scaled_copy","file":"hdr.c","line":3,"col":5,{{.*}}"match":{"name":"sum_scaled","symbol":"sum_scaled","file":"./sum.h","line":1,"col":5,

// Without any debug locations (-fpass-plugin= alone, no -Rpass, no -g) the
// location is the TU's file name, line and column 0 (unknown).
// RUN: cd %t && env ACCELSTRAT_REPORT=%t/noloc.json %clang -O2 -fpass-plugin=%plugin -c clones.c -o /dev/null
// RUN: FileCheck %s --check-prefix=NOLOC < %t/noloc.json
// NOLOC: "tu":"clones.c"
// NOLOC-SAME: "function":{"name":"sum_scaled_copy","symbol":"sum_scaled_copy","file":"clones.c","line":0,"col":0,{{.*}}"match":{"name":"sum_scaled","symbol":"sum_scaled","file":"clones.c","line":0,"col":0,
