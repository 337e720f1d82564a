/* The reason a call failed, written printf-style into the caller's buffer
 * when it gave one: the "detail" and "why" strings every layer fills (C and
 * the CUDA backend alike, hence inline here). */
#ifndef ACCELSTRAT_SUPPORT_MESSAGE_H
#define ACCELSTRAT_SUPPORT_MESSAGE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

__attribute__((format(printf, 3, 4))) static inline void
as__message(char *buf, size_t len, const char *fmt, ...) {
  if (!buf || !len) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, len, fmt, ap);
  va_end(ap);
}

#endif
