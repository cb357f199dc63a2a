/* Sieve of Eratosthenes: the number of primes below n (n <= 16,000,000), checksummed. */
#include "kernel.h"

#define MAXN 16000000
static unsigned char composite[MAXN];

EXPORT int run(int n) {
  if (n > MAXN) n = MAXN;
  for (int i = 0; i < n; i++) composite[i] = 0;
  u32 count = 0, sum = 0;
  for (int i = 2; i < n; i++) {
    if (composite[i]) continue;
    count++;
    sum = sum * 31 + (u32)i;
    for (long long j = (long long)i * i; j < n; j += i) composite[j] = 1;
  }
  return (int)(count ^ sum);
}
