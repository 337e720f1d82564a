#ifndef DEMO_H
#define DEMO_H
#include <stddef.h>
#include <stdint.h>

uint32_t adler_like(const unsigned char *data, size_t len);
uint32_t adler_like_copy(const unsigned char *data, size_t len);
uint32_t fletcher16(const unsigned char *bytes, size_t count);
int parse_config_line(const char *line, char *key, size_t key_cap, char *value,
                      size_t value_cap);
int parse_env_line(const char *text, char *name, size_t name_cap, char *val,
                   size_t val_cap);
int parse_setting_line(const char *line, char *key, size_t key_cap,
                       char *value, size_t value_cap);
void reverse_in_place(char *s);
void matmul(const double *a, const double *b, double *c, int n);
void scale_rows(double *m, const double *f, int rows, int cols);
void scale_cols(double *m, const double *f, int rows, int cols);
#endif
