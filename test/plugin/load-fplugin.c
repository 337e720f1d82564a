// Loading with -fplugin= alone finds the pairs, at -O0 and -O2.
// RUN: %clang -O0 -fplugin=%plugin -Rpass-analysis=accelstrat -c %S/Inputs/clones.c -o /dev/null 2>&1 | FileCheck %s
// RUN: %clang -O2 -fplugin=%plugin -Rpass-analysis=accelstrat -c %S/Inputs/clones.c -o /dev/null 2>&1 | FileCheck %s

// CHECK: clones.c:13:5: remark: 'sum_scaled_copy' is identical to 'sum_scaled' ({{.*}}clones.c:3:5) [-Rpass-analysis=accelstrat]
// CHECK: clones.c:23:5: remark: 'sum_scaled_clamped' is 95% similar to 'sum_scaled' ({{.*}}clones.c:3:5); {{differs in [^[]+}} [-Rpass-analysis=accelstrat]
// CHECK-NOT: remark:
