/* Declarators whose name is hard to find on the line; the tests check the
 * column of each. Line numbers are checked: append only. */
#define BODY { int s = 0; for (int i = 0; i < n; i++) if (v[i] > 0) s += v[i] * 3; return s / (n ? n : 1); }
int ref(const int *v, int n) BODY
/* in_comment( is not the name */ int in_comment(const int *v, int n) BODY
int
next_line(const int *v, int n) BODY
__attribute__((noinline)) int with_attribute(const int *v, int n) BODY
int param_first(const int *param_first_v, int n) { const int *v = param_first_v; int s = 0; for (int i = 0; i < n; i++) if (v[i] > 0) s += v[i] * 3; return s / (n ? n : 1); }
#define DEFINE(name) int name(const int *v, int n) BODY
DEFINE(from_macro_argument)
#define PASTE(name) int name##_pasted(const int *v, int n) BODY
PASTE(from)
static int sq(int x) { return x * x * x + 1; }
int (*pick(int k))(int) { int i = k; while (i > 3) i -= 2; if (i > 1) return sq; return k > 7 ? sq : 0; }
int (*pick_again(int k))(int) { int i = k; while (i > 3) i -= 2; if (i > 1) return sq; return k > 7 ? sq : 0; }
