/* The cost model's profile: measured rates of each kernel on each device of
 * this host, which auto-selection predicts from. as_calibrate() measures
 * them (the accelstrat-calibrate program calls it); runs refine them online;
 * without a profile the runtime uses conservative built-in rates.
 *
 * The profile is one text file per host, keyed inside by device (CPU model;
 * GPU name and driver) and by kernel name and version, so rates measured on
 * other hardware or for an older kernel are never used. */
#ifndef ACCELSTRAT_PROFILE_H
#define ACCELSTRAT_PROFILE_H

#include <stddef.h>
#include <stdio.h>

#include "export.h"

AS_EXTERN_C_BEGIN

/* The file this process reads and updates: ACCELSTRAT_PROFILE when set (a
 * path, or "off" for none), else $XDG_CACHE_HOME/accelstrat/profile-HOST.txt,
 * else $HOME/.cache/accelstrat/profile-HOST.txt. Returns 0, or AS_ENOSYS
 * when profiles are off (buf is then ""). */
AS_API int as_profile_path(char *buf, size_t len);

/* Writes what this process learned since the profile was read (online
 * updates) back to the file, merged with what other processes wrote
 * meanwhile. as_executor_destroy() calls it. Returns 0 or AS_EIO. */
AS_API int as_profile_save(void);

typedef struct as_calibration {
  int threads; /* CPU threads to calibrate the parallel rate at; 0: all usable
                */
  int samples; /* timed samples per size after the discarded first; default 5 */
  int gpu;     /* 1 (default): also the GPU when one is usable */
  FILE *log;   /* progress and the fitted rates, one line each; NULL: quiet */
} as_calibration;

AS_API void as_calibration_defaults(as_calibration *c);

/* Measures every built-in kernel on one CPU thread, on `threads` threads and
 * on the GPU (when usable) at several sizes, fits each device's rates and
 * writes them to the profile (replacing the old rates of those keys, keeping
 * the others). Returns 0, AS_ENOSYS when profiles are off, or another
 * negative as_errno with a message in err. */
AS_API int as_calibrate(const as_calibration *c, char *err, size_t errlen);

AS_EXTERN_C_END

#endif
