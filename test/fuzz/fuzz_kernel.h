/* What the kernel targets share: a CPU executor made once (two threads,
 * no GPU, no profile, no jobserver: the run depends on the input alone),
 * tokens drawn from the input over alphabets that make the kernels' hard
 * cases (few tokens that repeat, the ends of the 32-bit range, any value),
 * and the textbook dynamic-programming LCS they are judged by. */
#ifndef ACCELSTRAT_FUZZ_KERNEL_H
#define ACCELSTRAT_FUZZ_KERNEL_H

#include "fuzz_util.h"

#include <accelstrat/accelstrat.h>

#include "lcs_ref.h" /* test/unit: the references */

static as_executor *fuzz_executor;

static inline void fuzz_kernel_init(void) {
  setenv("ACCELSTRAT_PROFILE", "off", 1);
  setenv("ACCELSTRAT_GPU", "off", 1);
  unsetenv("MAKEFLAGS");
  unsetenv("MFLAGS");
  as_config cfg;
  as_config_defaults(&cfg);
  as_strategy_parse("cpu", &cfg.strategy);
  cfg.threads = 2;
  if (as_executor_create(&cfg, &fuzz_executor) != 0) {
    fprintf(stderr, "fuzz: as_executor_create failed\n");
    abort();
  }
}

enum { ALPHABETS = 7 };

/* A token of alphabet kind (0 .. ALPHABETS - 1) from the input. */
static inline uint32_t fuzz_token(fuzz_in *in, int kind) {
  static const uint32_t extremes[] = {0, 1, UINT32_MAX - 1, UINT32_MAX};
  uint8_t x = fuzz_u8(in);
  switch (kind) {
  case 0: return x % 2;
  case 1: return x % 4;
  case 2: return x % 50;
  case 3: return (uint32_t)(x % 200) * 0x9e3779b9u; /* spread over 2^32 */
  case 4: return extremes[x % 4];
  case 5:
    return (uint32_t)x | fuzz_u8(in) << 8 | (uint32_t)fuzz_u8(in) << 16 |
           (uint32_t)fuzz_u8(in) << 24;
  default: return x & 0x80 ? x % 4 : x * 0x01000193u; /* few and many */
  }
}

#endif
