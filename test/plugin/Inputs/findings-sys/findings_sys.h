// A system header (found through -isystem): two near-duplicate inline
// functions that the TU uses.
static inline int sys_mix(int x, int y) {
  int s = x * 5 + y;
  for (int i = 0; i < y; i++) s = s * 3 + i;
  if (s > 100) s -= x;
  return s * 2 + 1;
}
static inline int sys_mix2(int x, int y) {
  int s = x * 5 + y;
  for (int i = 0; i < y; i++) s = s * 3 + i;
  if (s > 100) s -= x;
  return s * 2 + 3;
}
