/* Error codes: every API call returns 0 on success or one of these negative
 * values. The list is one X-macro table so codes, names and messages cannot
 * drift apart. */
#ifndef ACCELSTRAT_ERROR_H
#define ACCELSTRAT_ERROR_H

#include "export.h"

AS_EXTERN_C_BEGIN

/* XX(NAME, value, message) */
#define AS_ERRNO_MAP(XX)                                                       \
  XX(EINVAL, -1, "invalid argument")                                           \
  XX(ENOMEM, -2, "out of host memory")                                         \
  XX(ENOSYS, -3, "not supported by this kernel or build")                      \
  XX(EGPU_UNAVAILABLE, -4, "GPU unavailable")                                  \
  XX(EGPU_OOM, -5, "GPU out of memory")                                        \
  XX(EGPU_DRIVER, -6, "GPU driver error")                                      \
  XX(EKERNEL, -7, "kernel function failed")                                    \
  XX(EIO, -8, "input/output error")                                            \
  XX(EGPU_BUSY, -9, "no free GPU slot: other processes hold them all")

typedef enum as_errno {
#define AS__ERRNO_ENUM(name, val, msg) AS_##name = (val),
  AS_ERRNO_MAP(AS__ERRNO_ENUM)
#undef AS__ERRNO_ENUM
} as_errno;

/* Message for an error code; never NULL ("unknown error" for foreign codes). */
AS_API const char *as_strerror(int err);
/* Symbolic name of an error code ("AS_EINVAL"); never NULL. */
AS_API const char *as_err_name(int err);

AS_EXTERN_C_END

#endif
