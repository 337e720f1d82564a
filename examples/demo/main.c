/* The demo program: uses every function so the project links and runs. */
#include <stdio.h>
#include <string.h>

#include "demo.h"

int main(void) {
  const char *text = "accelstrat";
  const unsigned char *bytes = (const unsigned char *)text;
  printf("adler %08x copy %08x fletcher %04x\n", adler_like(bytes, strlen(text)),
         adler_like_copy(bytes, strlen(text)), fletcher16(bytes, strlen(text)));
  char k[32], v[32];
  if (parse_config_line("threads=4", k, sizeof k, v, sizeof v) == 0)
    printf("config %s -> %s\n", k, v);
  if (parse_env_line("CC=clang-19", k, sizeof k, v, sizeof v) == 0)
    printf("env %s -> %s\n", k, v);
  char s[] = "duplicate";
  reverse_in_place(s);
  double a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, c[4], f[2] = {2, 3};
  matmul(a, b, c, 2);
  scale_rows(c, f, 2, 2);
  scale_cols(c, f, 2, 2);
  printf("reversed %s, c = [%g %g %g %g]\n", s, c[0], c[1], c[2], c[3]);
  return 0;
}
