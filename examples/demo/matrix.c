/* Small dense matrices. scale_rows and scale_cols walk the matrix in the
 * other order: the same instructions on other operands, so 100% similar but
 * not identical; matmul is unrelated to both. */
#include "demo.h"

void matmul(const double *a, const double *b, double *c, int n) {
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      double s = 0;
      for (int k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
      c[i * n + j] = s;
    }
}

void scale_rows(double *m, const double *f, int rows, int cols) {
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < cols; c++) m[r * cols + c] *= f[r];
}

void scale_cols(double *m, const double *f, int rows, int cols) {
  for (int c = 0; c < cols; c++)
    for (int r = 0; r < rows; r++) m[r * cols + c] *= f[c];
}
