// C++ near-duplicates: template instantiations, methods, namespaces.
// Line numbers are checked by the tests: append only.
#include <cstddef>

namespace geo {
struct Point {
  double x, y;
};

template <typename T> T clamp_sum(const T *v, std::size_t n, T lo, T hi) {
  T s = T();
  for (std::size_t i = 0; i < n; ++i) {
    s += v[i];
    if (s < lo) s = lo;
    if (s > hi) s = hi;
  }
  return s;
}

class Path {
public:
  double length_x(const Point *p, int n) const {
    double d = 0;
    for (int i = 1; i < n; i++) {
      double dx = p[i].x - p[i - 1].x;
      d += dx < 0 ? -dx : dx;
    }
    return d * scale;
  }
  double length_y(const Point *p, int n) const {
    double d = 0;
    for (int i = 1; i < n; i++) {
      double dy = p[i].y - p[i - 1].y;
      d += dy < 0 ? -dy : dy;
    }
    return d * scale;
  }
  double scale = 1.0;
};
} // namespace geo

// Two instantiations with identical code: long and long long are both 64-bit.
long sum_long(const long *v, std::size_t n) { return geo::clamp_sum<long>(v, n, -100, 100); }
long long sum_llong(const long long *v, std::size_t n) {
  return geo::clamp_sum<long long>(v, n, -100, 100);
}
int sum_int(const int *v, std::size_t n) { return geo::clamp_sum<int>(v, n, -100, 100); }

double path_lengths(const geo::Point *p, int n) {
  geo::Path path;
  return path.length_x(p, n) + path.length_y(p, n);
}

// Unrelated.
unsigned popcount_loop(unsigned long long x) {
  unsigned c = 0;
  while (x) {
    x &= x - 1;
    ++c;
  }
  return c;
}
