/* Parsing "key=value" lines. parse_env_line is parse_config_line with other
 * names and one extra check. */
#include <string.h>

#include "demo.h"

int parse_config_line(const char *line, char *key, size_t key_cap,
                      char *value, size_t value_cap) {
  const char *eq = strchr(line, '=');
  if (!eq) return -1;
  size_t klen = (size_t)(eq - line);
  size_t vlen = strlen(eq + 1);
  if (klen == 0 || klen >= key_cap || vlen >= value_cap) return -1;
  memcpy(key, line, klen);
  key[klen] = '\0';
  memcpy(value, eq + 1, vlen);
  value[vlen] = '\0';
  return 0;
}

int parse_env_line(const char *text, char *name, size_t name_cap,
                   char *val, size_t val_cap) {
  const char *sep = strchr(text, '=');
  if (!sep) return -1;
  size_t nlen = (size_t)(sep - text);
  size_t len = strlen(sep + 1);
  if (nlen == 0 || nlen >= name_cap || len >= val_cap) return -1;
  if (text[0] >= '0' && text[0] <= '9') return -1; /* names start with a letter */
  memcpy(name, text, nlen);
  name[nlen] = '\0';
  memcpy(val, sep + 1, len);
  val[len] = '\0';
  return 0;
}

void reverse_in_place(char *s) {
  size_t n = strlen(s);
  for (size_t i = 0; i < n / 2; i++) {
    char t = s[i];
    s[i] = s[n - 1 - i];
    s[n - 1 - i] = t;
  }
}
