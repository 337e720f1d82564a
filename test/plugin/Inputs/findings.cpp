// Findings a maintainer can act on: what differs is said, instantiations of
// one template are not reported against each other, and functions from
// system headers are left out unless asked for.
#include <findings_sys.h>

int sink_a(int);
int sink_b(int);

// Same shape, other callee: 100% similar, and the remark says so.
int call_a(int x, int y) {
  int s = x * 3 + y;
  if (s > 10) s -= y;
  s = sink_a(s + x);
  return s * 2 + 1;
}
int call_b(int x, int y) {
  int s = x * 3 + y;
  if (s > 10) s -= y;
  s = sink_b(s + x);
  return s * 2 + 1;
}

// Same code, another literal.
int scale_a(int x, int y) {
  int s = x * 3 + y;
  if (s > 10) s -= y;
  s = s * 7 + x;
  return s * 2 + 1;
}
int scale_b(int x, int y) {
  int s = x * 3 + y;
  if (s > 10) s -= y;
  s = s * 9 + x;
  return s * 2 + 1;
}

// Two instantiations of one template: near-duplicates of each other by
// construction, so not reported.
template <typename T> T blend(T *v, int n, T k) {
  T s = 0;
  for (int i = 0; i < n; i++) {
    s = s * k + v[i];
    if (s > k) s = s - k;
  }
  return s;
}
int use_blend(int *a, unsigned *b, int n) {
  return blend<int>(a, n, 3) + (int)blend<unsigned>(b, n, 5u) + sys_mix(n, 1) + sys_mix2(n, 2);
}
