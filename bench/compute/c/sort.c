/* Sort: n pseudo-random 32-bit integers (n <= 2,000,000) with a quicksort (insertion sort for
 * short ranges, explicit stack), then a position-weighted checksum. */
#include "kernel.h"

#define MAXN 2000000
static int a[MAXN];
static int stack[128];

static void insertion(int lo, int hi) {
  for (int i = lo + 1; i <= hi; i++) {
    int v = a[i], j = i - 1;
    while (j >= lo && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

EXPORT int run(int n) {
  if (n > MAXN) n = MAXN;
  u32 x = 12345;
  for (int i = 0; i < n; i++) {
    x = x * 1103515245u + 12345u;
    a[i] = (int)(x ^ (x >> 15));
  }
  int sp = 0;
  stack[sp++] = 0;
  stack[sp++] = n - 1;
  while (sp > 0) {
    int hi = stack[--sp], lo = stack[--sp];
    while (hi - lo > 16) {
      int mid = lo + (hi - lo) / 2;
      int p = a[mid];
      int i = lo, j = hi;
      while (i <= j) {
        while (a[i] < p) i++;
        while (a[j] > p) j--;
        if (i <= j) {
          int t = a[i];
          a[i] = a[j];
          a[j] = t;
          i++;
          j--;
        }
      }
      /* Recurse into the smaller part, loop on the larger (stack depth stays logarithmic). */
      if (j - lo < hi - i) {
        stack[sp++] = i;
        stack[sp++] = hi;
        hi = j;
      } else {
        stack[sp++] = lo;
        stack[sp++] = j;
        lo = i;
      }
    }
    insertion(lo, hi);
  }
  u32 sum = 0;
  for (int i = 0; i < n; i++) sum = sum * 16777619u + (u32)a[i] * (u32)(i + 1);
  return (int)sum;
}
