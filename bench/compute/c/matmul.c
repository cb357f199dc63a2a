/* Matrix multiply: C = A * B for n x n doubles (n <= 384), i-k-j order. */
#include "kernel.h"

#define MAXN 384
static double A[MAXN * MAXN], B[MAXN * MAXN], C[MAXN * MAXN];

EXPORT int run(int n) {
  if (n > MAXN) n = MAXN;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      A[i * n + j] = (double)((i * 7 + j * 3) % 17) / 16.0 - 0.5;
      B[i * n + j] = (double)((i * 5 + j * 11) % 13) / 8.0 - 0.75;
      C[i * n + j] = 0.0;
    }
  for (int i = 0; i < n; i++)
    for (int k = 0; k < n; k++) {
      double a = A[i * n + k];
      for (int j = 0; j < n; j++) C[i * n + j] += a * B[k * n + j];
    }
  double sum = 0.0;
  for (int i = 0; i < n * n; i++) sum += C[i] * (double)(i % 7 + 1);
  return (int)fold_f64(sum);
}
