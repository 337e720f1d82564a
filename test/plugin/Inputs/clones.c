/* Identical, near-duplicate and unrelated functions for the plugin tests.
 * Line numbers are checked by the tests: append only. */
int sum_scaled(const int *values, int count, int scale) {
  int total = 0;
  for (int i = 0; i < count; i++) {
    if (values[i] > 0)
      total += values[i] * scale;
  }
  return total / (count ? count : 1);
}

/* A copy with other names: identical. */
int sum_scaled_copy(const int *v, int n, int factor) {
  int acc = 0;
  for (int k = 0; k < n; k++) {
    if (v[k] > 0)
      acc += v[k] * factor;
  }
  return acc / (n ? n : 1);
}

/* Other names and one changed statement: a near-duplicate. */
int sum_scaled_clamped(const int *data, int len, int mul) {
  int sum = 0;
  for (int j = 0; j < len; j++) {
    if (data[j] > 0)
      sum += data[j] * mul;
    if (sum > 100000) sum = 100000;
  }
  return sum / (len ? len : 1);
}

/* Unrelated to everything above. */
unsigned string_hash(const char *s) {
  unsigned h = 5381;
  while (*s) {
    h = ((h << 5) + h) ^ (unsigned char)*s;
    s++;
  }
  return h;
}

/* Unrelated too. */
double mean_square(const double *x, long n) {
  double s = 0.0;
  for (long i = 0; i < n; ++i) s += x[i] * x[i];
  return n > 0 ? s / (double)n : 0.0;
}
