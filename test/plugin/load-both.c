// -fplugin= and -fpass-plugin= naming the same library register the pass
// once: every remark appears exactly once, and plugin arguments still apply.
// RUN: %clang -O2 -fplugin=%plugin -fpass-plugin=%plugin -Rpass-analysis=accelstrat -c %S/Inputs/clones.c -o /dev/null 2>&1 | FileCheck %s
// RUN: %clang -O2 -fplugin=%plugin -fpass-plugin=%plugin -fplugin-arg-accelstrat-min-similarity=0.99 -Rpass-analysis=accelstrat -c %S/Inputs/clones.c -o /dev/null 2>&1 | FileCheck %s --check-prefix=STRICT
// RUN: %clang -O0 -fplugin=%plugin -fpass-plugin=%plugin -Rpass-analysis=accelstrat -c %S/Inputs/clones.c -o /dev/null 2>&1 | grep -c remark: | FileCheck %s --check-prefix=COUNT

// CHECK-COUNT-1: 'sum_scaled_copy' is identical to 'sum_scaled'
// CHECK-COUNT-1: 'sum_scaled_clamped' is 95% similar to 'sum_scaled'
// CHECK-NOT: remark:

// STRICT: 'sum_scaled_copy' is identical to 'sum_scaled'
// STRICT-NOT: remark:

// COUNT: {{^2$}}
