// Functions of every kind the frontend must record, each doing the same
// work (SUM). Line numbers are checked by the tests: append only.
#define SUM(v, n, k) { int s = 0; for (int i = 0; i < (n); i++) s += (v)[i] * (k); total = s; }
int total;
void first(const int *v, int n, int k) SUM(v, n, k)
static void internal(const int *v, int n, int k) SUM(v, n, k)
extern "C" void c_linkage(const int *v, int n, int k) SUM(v, n, k)
namespace ns { void in_namespace(const int *v, int n, int k) SUM(v, n, k) }
namespace { void anonymous(const int *v, int n, int k) SUM(v, n, k) }
#define DEFINE(name) void name(const int *v, int n, int k) SUM(v, n, k)
DEFINE(from_macro)
template <typename T> void tmpl(const T *v, int n, T k) SUM(v, n, k)
template void tmpl<int>(const int *, int, int);
template void tmpl<unsigned>(const unsigned *, int, unsigned);
struct S {
  int m;
  S(const int *v, int n, int k) SUM(v, n, k)
  ~S() { const int *v = &m; int n = m, k = m; SUM(v, n, k) }
  void method(const int *v, int n, int k) SUM(v, n, k)
  virtual void virt(const int *v, int n, int k) SUM(v, n, k)
  friend void friend_fn(S *, const int *v, int n, int k) SUM(v, n, k)
  void operator()(const int *v, int n, int k) SUM(v, n, k)
};
template <typename T> struct Box {
  void member(const T *v, int n, T k) SUM(v, n, k)
  template <typename U> void member_tmpl(const U *v, int n, U k) SUM(v, n, k)
};
template struct Box<int>;
template struct Box<long>;
template void Box<int>::member_tmpl<short>(const short *, int, short);
void uses_lambda(const int *v, int n, int k) {
  auto l = [](const int *v, int n, int k) SUM(v, n, k);
  auto g = [](auto *v, int n, auto k) SUM(v, n, k);
  l(v, n, k);
  g(v, n, k);
  struct Local { static void local(const int *v, int n, int k) SUM(v, n, k) };
  Local::local(v, n, k);
  S s(v, n, k);
  s.method(v, n, k);
  friend_fn(&s, v, n, k);
  internal(v, n, k);
  anonymous(v, n, k);
}
void (*keep)(const int *, int, int) = [](const int *v, int n, int k) SUM(v, n, k);
