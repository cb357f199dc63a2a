// Matrix multiply: C = A * B for n x n doubles (n <= 384), i-k-j order (same as c/matmul.c).
const MAXN = 384;
const A = new StaticArray<f64>(MAXN * MAXN);
const B = new StaticArray<f64>(MAXN * MAXN);
const C = new StaticArray<f64>(MAXN * MAXN);

export function run(n: i32): i32 {
  if (n > MAXN) n = MAXN;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      unchecked((A[i * n + j] = <f64>((i * 7 + j * 3) % 17) / 16.0 - 0.5));
      unchecked((B[i * n + j] = <f64>((i * 5 + j * 11) % 13) / 8.0 - 0.75));
      unchecked((C[i * n + j] = 0.0));
    }
  }
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const a = unchecked(A[i * n + k]);
      for (let j = 0; j < n; j++) unchecked((C[i * n + j] += a * B[k * n + j]));
    }
  }
  let sum = 0.0;
  for (let i = 0; i < n * n; i++) sum += unchecked(C[i]) * <f64>((i % 7) + 1);
  const bits = reinterpret<u64>(sum);
  return <i32>(bits ^ (bits >> 32));
}
