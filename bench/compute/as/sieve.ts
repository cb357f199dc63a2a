// Sieve of Eratosthenes: the number of primes below n (n <= 16,000,000), checksummed.
const MAXN = 16000000;
const composite = new StaticArray<u8>(MAXN);

export function run(n: i32): i32 {
  if (n > MAXN) n = MAXN;
  for (let i = 0; i < n; i++) unchecked((composite[i] = 0));
  let count: u32 = 0;
  let sum: u32 = 0;
  for (let i = 2; i < n; i++) {
    if (unchecked(composite[i])) continue;
    count++;
    sum = sum * 31 + <u32>i;
    for (let j = <i64>i * i; j < n; j += i) unchecked((composite[<i32>j] = 1));
  }
  return <i32>(count ^ sum);
}
