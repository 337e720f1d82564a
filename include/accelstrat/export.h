/* Symbol visibility for the public API. The runtime is built with
 * -fvisibility=hidden; only declarations marked AS_API are exported. */
#ifndef ACCELSTRAT_EXPORT_H
#define ACCELSTRAT_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define AS_API __attribute__((visibility("default")))
#else
#define AS_API
#endif

#ifdef __cplusplus
#define AS_EXTERN_C_BEGIN extern "C" {
#define AS_EXTERN_C_END }
#else
#define AS_EXTERN_C_BEGIN
#define AS_EXTERN_C_END
#endif

#endif
