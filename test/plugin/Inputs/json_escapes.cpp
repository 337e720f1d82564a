// Names that need escaping in JSON: user-defined literal operators contain
// '"' in their demangled names. The two are identical.
unsigned long long operator"" _kb(unsigned long long v) {
  unsigned long long s = 0;
  for (unsigned long long i = 0; i < v; i++) {
    if (i % 3) s += i * 1024;
    else s ^= i;
  }
  return s;
}
unsigned long long operator"" _kib(unsigned long long v) {
  unsigned long long s = 0;
  for (unsigned long long i = 0; i < v; i++) {
    if (i % 3) s += i * 1024;
    else s ^= i;
  }
  return s;
}
