// C++ declarators: out-of-line members, constructors, destructors,
// conversions, trailing return types. Line numbers are checked: append only.
#define BODY { int s = 0; for (int i = 0; i < n; i++) if (v[i] > 0) s += v[i] * 3; total = s; }
int total;
void ref(const int *v, int n) BODY
namespace ns { void out_of_line(const int *v, int n); }
void ns::out_of_line(const int *v, int n) BODY
auto trailing(const int *v, int n) -> void BODY
struct S {
  const int *v; int n;
  S(const int *v, int n);
  ~S();
  operator int() const;
  void method(const int *v, int n) const;
};
S::S(const int *v, int n) : v(v), n(n) BODY
S::~S() BODY
S::operator int() const { int s = 0; for (int i = 0; i < n; i++) if (v[i] > 0) s += v[i] * 3; return s; }
void S::method(const int *v, int n) const BODY
template <typename T> void tmpl(const T *v, int n) BODY
template <> void tmpl<int>(const int *v, int n) BODY
template void tmpl<unsigned>(const unsigned *, int);
int use(const int *v, int n) { S s(v, n); s.method(v, n); return s; }
int conversion_twin(const S &s) { const int *v = s.v; int n = s.n; int t = 0; for (int i = 0; i < n; i++) if (v[i] > 0) t += v[i] * 3; return t; }
