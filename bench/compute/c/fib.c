/* Recursion: the naive doubly recursive Fibonacci of n. */
#include "kernel.h"

static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

EXPORT int run(int n) { return fib(n); }
