// Loading with -fpass-plugin= alone: options come from the environment.
// RUN: %clang -O0 -fpass-plugin=%plugin -Rpass-analysis=accelstrat -c %S/Inputs/clones.c -o /dev/null 2>&1 | FileCheck %s
// RUN: %clang -O2 -fpass-plugin=%plugin -Rpass-analysis=accelstrat -c %S/Inputs/clones.c -o /dev/null 2>&1 | FileCheck %s
// RUN: env ACCELSTRAT_MIN_SIMILARITY=0.99 %clang -O2 -fpass-plugin=%plugin -Rpass-analysis=accelstrat -c %S/Inputs/clones.c -o /dev/null 2>&1 | FileCheck %s --check-prefix=STRICT

// CHECK: clones.c:13:5: remark: 'sum_scaled_copy' is identical to 'sum_scaled' ({{.*}}clones.c:3:5)
// CHECK: clones.c:23:5: remark: 'sum_scaled_clamped' is 95% similar to 'sum_scaled' ({{.*}}clones.c:3:5)
// CHECK-NOT: remark:

// STRICT: 'sum_scaled_copy' is identical to 'sum_scaled'
// STRICT-NOT: similar
