/*
 * Keel's C guest runtime: the string type every generated binding uses, and small helpers.
 * Header-only; the generated <world>.h includes it. See docs/sdk-c.md.
 */
#ifndef KEEL_H
#define KEEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A WIT string: UTF-8 bytes, not NUL-terminated. */
typedef struct {
  uint8_t *ptr;
  size_t len;
} keel_string_t;

/** A string that borrows a C string (no copy): for arguments to imports. */
static inline keel_string_t keel_string(const char *s) {
  return (keel_string_t){(uint8_t *)s, strlen(s)};
}

/** A string that owns a malloc'd copy of `len` bytes: for results of exports. */
static inline keel_string_t keel_string_copy(const void *bytes, size_t len) {
  keel_string_t s = {NULL, len};
  if (len == 0) return s;
  s.ptr = (uint8_t *)malloc(len);
  if (!s.ptr) abort();
  memcpy(s.ptr, bytes, len);
  return s;
}

/** An owned copy of a C string. */
static inline keel_string_t keel_string_dup(const char *s) {
  return keel_string_copy(s, strlen(s));
}

/** Free an owned string (one received from an import or as an export's argument). */
static inline void keel_string_free(keel_string_t *s) {
  if (s->len > 0) free(s->ptr);
  s->ptr = NULL;
  s->len = 0;
}

/** Whether a string equals a C string. */
static inline bool keel_string_eq(const keel_string_t *s, const char *c) {
  size_t n = strlen(c);
  return s->len == n && (n == 0 || memcmp(s->ptr, c, n) == 0);
}

/** A NUL-terminated malloc'd copy, for C APIs (free it with free()). */
static inline char *keel_string_cstr(const keel_string_t *s) {
  char *c = (char *)malloc(s->len + 1);
  if (!c) abort();
  if (s->len > 0) memcpy(c, s->ptr, s->len);
  c[s->len] = 0;
  return c;
}

/* Bit casts between floats and integers, for variant payloads (the canonical ABI joins them). */
static inline int32_t keel_f32_bits(float f) {
  int32_t i;
  memcpy(&i, &f, 4);
  return i;
}
static inline float keel_bits_f32(int32_t i) {
  float f;
  memcpy(&f, &i, 4);
  return f;
}
static inline int64_t keel_f64_bits(double f) {
  int64_t i;
  memcpy(&i, &f, 8);
  return i;
}
static inline double keel_bits_f64(int64_t i) {
  double f;
  memcpy(&f, &i, 8);
  return f;
}

#ifdef __cplusplus
}
#endif

#endif /* KEEL_H */
