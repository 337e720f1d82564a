#include <accelstrat/error.h>
#include <accelstrat/version.h>

const char *as_strerror(int err) {
  switch (err) {
#define AS__ERRNO_MSG(name, val, msg)                                          \
  case AS_##name: return msg;
    AS_ERRNO_MAP(AS__ERRNO_MSG)
#undef AS__ERRNO_MSG
  case 0: return "success";
  }
  return "unknown error";
}

const char *as_err_name(int err) {
  switch (err) {
#define AS__ERRNO_NAME(name, val, msg)                                         \
  case AS_##name: return "AS_" #name;
    AS_ERRNO_MAP(AS__ERRNO_NAME)
#undef AS__ERRNO_NAME
  case 0: return "0";
  }
  return "AS_UNKNOWN";
}

const char *as_version(void) { return AS_VERSION_STRING; }
