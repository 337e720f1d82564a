// Templates, virtual functions, constructors and destructors, empty and
// variadic functions: what clang emits at -O0 for mergefunc to judge.
namespace shapes {
struct Shape {
  virtual ~Shape() {}
  virtual int area() const { return 0; }
  virtual int corners() const { return 0; }
};

struct Square : Shape {
  int w;
  explicit Square(int w) : w(w) {}
  int area() const override { return w * w; }
  int corners() const override { return 4; }
};

struct Rect : Shape {
  int w, h;
  Rect(int w, int h) : w(w), h(h) {}
  int area() const override { return w * h; }
  int corners() const override { return 4; }
};
} // namespace shapes

template <typename T> struct Box {
  T *p;
  explicit Box(T *p) : p(p) {}
  ~Box() { p = nullptr; }
  T *get() const { return p; }
};

template <typename T> T *first(T **v) { return v[0]; }

static int helper_a(int x) { return x * 3 + 1; }
static int helper_b(int x) { return x * 3 + 1; }
int use_a(int x) { return helper_a(x) + 2; }
int use_b(int x) { return helper_b(x) + 2; }

void nothing_a() {}
void nothing_b() {}

int sum_a(int n, ...) {
  __builtin_va_list ap;
  __builtin_va_start(ap, n);
  int s = 0;
  for (int i = 0; i < n; i++)
    s += __builtin_va_arg(ap, int);
  __builtin_va_end(ap);
  return s;
}

int sum_b(int n, ...) {
  __builtin_va_list ap;
  __builtin_va_start(ap, n);
  int s = 0;
  for (int i = 0; i < n; i++)
    s += __builtin_va_arg(ap, int);
  __builtin_va_end(ap);
  return s;
}

int drive(int k) {
  shapes::Square sq(k);
  shapes::Rect r(k, k + 1);
  int i = k;
  float f = 0;
  int *ip = &i;
  float *fp = &f;
  Box<int> bi(ip);
  Box<float> bf(fp);
  nothing_a();
  nothing_b();
  return sq.area() + r.area() + sq.corners() + r.corners() + *first(&ip) +
         (int)*first(&fp) + *bi.get() + (int)*bf.get() + use_a(k) + use_b(k) +
         sum_a(2, 1, 2) + sum_b(2, 3, 4);
}
