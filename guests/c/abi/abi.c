// Exports of abi.wit in C, against the canonical ABI by hand (no bindings generator): each
// export's core signature is the flattening CanonicalABI.md gives its WIT type, results past
// one flat value go through a return area, and memory comes from wasi-libc's allocator.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT(name) __attribute__((export_name(name)))

// The canonical ABI's allocator: malloc aligns to 16, more than any WIT type needs.
EXPORT("cabi_realloc")
void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {
  (void)old_size;
  (void)align;
  if (new_size == 0) return (void *)align;
  void *p = realloc(ptr, new_size);
  if (!p) __builtin_trap();
  return p;
}

// A (pointer, length) pair: strings and lists in memory, and in return areas.
typedef struct {
  void *ptr;
  size_t len;
} pair_t;

static pair_t ret_pair;

// sum: func(values: list<s32>) -> s64
EXPORT("sum")
int64_t sum(const int32_t *values, size_t len) {
  int64_t total = 0;
  for (size_t i = 0; i < len; i++) total += values[i];
  return total;
}

// reverse: func(s: string) -> string, by code points (the bytes of each UTF-8 sequence kept in order).
EXPORT("reverse")
pair_t *reverse(const uint8_t *s, size_t len) {
  uint8_t *out = malloc(len ? len : 1);
  size_t end = len;
  for (size_t i = 0; i < len;) {
    size_t n = 1;
    while (i + n < len && (s[i + n] & 0xc0) == 0x80) n++;
    end -= n;
    memcpy(out + end, s + i, n);
    i += n;
  }
  ret_pair.ptr = out;
  ret_pair.len = len;
  return &ret_pair;
}

EXPORT("cabi_post_reverse")
void post_reverse(pair_t *ret) { free(ret->ptr); }

// midpoint: func(a: point, b: point) -> point; the result (two i32) through a return area.
static int32_t ret_point[2];

EXPORT("midpoint")
int32_t *midpoint(int32_t ax, int32_t ay, int32_t bx, int32_t by) {
  ret_point[0] = (int32_t)(((int64_t)ax + bx) / 2);
  ret_point[1] = (int32_t)(((int64_t)ay + by) / 2);
  return ret_point;
}

// area: func(s: shape) -> f64. The cases' payloads join: slot 1 is an i64 (f64 and i32
// joined), slot 2 an i32; circle's radius is the i64's bits, rect's x its low half.
EXPORT("area")
double area(int32_t tag, int64_t slot1, int32_t slot2) {
  switch (tag) {
    case 0: {
      double r;
      memcpy(&r, &slot1, sizeof r);
      return 3.0 * r * r;
    }
    case 1:
      return (double)(int32_t)slot1 * (double)slot2;
    default:
      return -1.0;
  }
}

// split: func(s: string, separator: u8) -> list<string>: the parts point into one copy of s.
EXPORT("split")
pair_t *split(const uint8_t *s, size_t len, uint32_t separator) {
  size_t parts = 1;
  for (size_t i = 0; i < len; i++) parts += s[i] == (uint8_t)separator;
  uint8_t *copy = malloc(len ? len : 1);
  memcpy(copy, s, len);
  pair_t *list = malloc(parts * sizeof(pair_t));
  size_t start = 0, k = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i == len || copy[i] == (uint8_t)separator) {
      list[k].ptr = copy + start;
      list[k].len = i - start;
      k++;
      start = i + 1;
    }
  }
  ret_pair.ptr = list;
  ret_pair.len = parts;
  return &ret_pair;
}

EXPORT("cabi_post_split")
void post_split(pair_t *ret) {
  pair_t *list = ret->ptr;
  free(list[0].ptr);
  free(list);
}
