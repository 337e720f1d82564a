/* Parsing "name: value" settings: parse_config_line (config.c) copied into
 * another file and changed, as happens to helpers in real projects; the
 * project-wide report (accelstrat-report) finds the pair across the files. */
#include <string.h>

#include "demo.h"

int parse_setting_line(const char *line, char *key, size_t key_cap,
                       char *value, size_t value_cap) {
  const char *colon = strchr(line, ':');
  if (!colon) return -1;
  size_t klen = (size_t)(colon - line);
  size_t vlen = strlen(colon + 1);
  if (klen == 0 || klen >= key_cap || vlen >= value_cap) return -2;
  memcpy(key, line, klen);
  key[klen] = '\0';
  memcpy(value, colon + 1, vlen);
  value[vlen] = '\0';
  return 0;
}
