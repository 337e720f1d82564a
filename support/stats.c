#include "support/stats.h"

#include <stdlib.h>

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double as__median(double *v, int n) {
  if (n <= 16) { /* the model's windows: no call into the C library, whose
                    code is out of every cache when a decision reads one */
    for (int i = 1; i < n; i++) {
      const double x = v[i];
      int j = i;
      for (; j > 0 && compare_doubles(&v[j - 1], &x) > 0; j--) v[j] = v[j - 1];
      v[j] = x;
    }
  } else {
    qsort(v, (size_t)n, sizeof *v, compare_doubles);
  }
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
