/* Helpers shared by the unit tests: checks that print what failed with the
 * values involved, and a seeded generator. Each run draws fresh inputs; the
 * seed is printed so ACCELSTRAT_TEST_SEED=<seed> replays a failure. */
#ifndef ACCELSTRAT_TEST_UTIL_H
#define ACCELSTRAT_TEST_UTIL_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "support/rng.h"

static int test_failures;

__attribute__((format(printf, 3, 4))) static inline void
test_fail(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s:%d: FAIL: ", file, line);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  test_failures++;
}

#define TEST_FAIL(...) test_fail(__FILE__, __LINE__, __VA_ARGS__)

/* A check with a message of its own: CHECK_MSG(x == y, "x %d", x). */
#define CHECK_MSG(cond, ...)                                                   \
  do {                                                                         \
    if (!(cond)) TEST_FAIL(__VA_ARGS__);                                       \
  } while (0)

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) TEST_FAIL("%s", #cond);                                       \
  } while (0)

/* Unsigned values (sizes, tokens, counts). */
#define CHECK_EQ(actual, expected)                                             \
  do {                                                                         \
    uintmax_t actual_ = (actual), expected_ = (expected);                      \
    if (actual_ != expected_)                                                  \
      TEST_FAIL("%s is %ju, expected %s = %ju", #actual, actual_, #expected,   \
                expected_);                                                    \
  } while (0)

/* Signed values (return codes). */
#define CHECK_INT_EQ(actual, expected)                                         \
  do {                                                                         \
    intmax_t actual_ = (actual), expected_ = (expected);                       \
    if (actual_ != expected_)                                                  \
      TEST_FAIL("%s is %jd, expected %s = %jd", #actual, actual_, #expected,   \
                expected_);                                                    \
  } while (0)

static inline double test_now(void) {
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline uint64_t test_seed(void) {
  const char *env = getenv("ACCELSTRAT_TEST_SEED");
  uint64_t seed;
  if (env && *env) {
    seed = strtoull(env, NULL, 0);
  } else {
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    seed = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  }
  printf("seed %" PRIu64 " (replay: ACCELSTRAT_TEST_SEED=%" PRIu64 ")\n", seed,
         seed);
  return seed;
}

/* SplitMix64: independent of the hashes under test. */
typedef struct test_rng {
  uint64_t state;
} test_rng;

static inline uint64_t test_next(test_rng *rng) {
  return as__splitmix64_next(&rng->state);
}

/* In [0, bound), bound <= 2^32, by multiply-shift: each value's probability
 * is off from 1/bound by less than 2^-32, which no test here can notice. */
static inline uint32_t test_below(test_rng *rng, uint64_t bound) {
  return (uint32_t)(((test_next(rng) >> 32) * bound) >> 32);
}

static inline int test_chance(test_rng *rng, double p) {
  return (double)(test_next(rng) >> 11) * 0x1.0p-53 < p;
}

static inline int test_finish(const char *name) {
  if (test_failures) {
    fprintf(stderr, "%s: %d check(s) failed\n", name, test_failures);
    return 1;
  }
  printf("%s: ok\n", name);
  return 0;
}

#endif
