/* A second file with the first one's parser copied: once as it is, once
 * changed (':' for '=', another error code, no terminator), and the hash
 * with its static helper copied too. */
#include <string.h>

int parse_line_copy(const char *line, char *key, unsigned long key_cap,
                    char *value, unsigned long value_cap) {
  const char *eq = strchr(line, '=');
  if (!eq) return -1;
  unsigned long klen = (unsigned long)(eq - line);
  unsigned long vlen = strlen(eq + 1);
  if (klen == 0 || klen >= key_cap || vlen >= value_cap) return -1;
  memcpy(key, line, klen);
  key[klen] = '\0';
  memcpy(value, eq + 1, vlen);
  value[vlen] = '\0';
  return 0;
}

int parse_line_colon(const char *line, char *key, unsigned long key_cap,
                     char *value, unsigned long value_cap) {
  const char *eq = strchr(line, ':');
  if (!eq) return -1;
  unsigned long klen = (unsigned long)(eq - line);
  unsigned long vlen = strlen(eq + 1);
  if (klen == 0 || klen >= key_cap || vlen >= value_cap) return -2;
  memcpy(key, line, klen);
  key[klen] = '\0';
  memcpy(value, eq + 1, vlen);
  return 0;
}

static unsigned mix(unsigned h, unsigned c) { return (h ^ c) * 16777619u; }

unsigned hash_key(const char *s) {
  unsigned h = 2166136261u;
  while (*s) h = mix(h, (unsigned char)*s++);
  return h;
}
