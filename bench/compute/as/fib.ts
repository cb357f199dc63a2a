// Recursion: the naive doubly recursive Fibonacci of n.
function fib(n: i32): i32 {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

export function run(n: i32): i32 {
  return fib(n);
}
