// The JavaScript every JS subject of the benchmark runs (bench/js.ts): in Keel as a
// componentize-js (StarlingMonkey) component, in isolated-vm and in quickjs-emscripten. The
// other engines get it with the `import` line removed, `export` keywords dropped and `tick`
// defined as a global that calls the host, so that the function bodies are byte-for-byte the same.
import { tick } from 'keel:bench/host@0.1.0';

export function noop() {}

export function add(a, b) {
  return (a + b) >>> 0;
}

/** The string back, first character uppercased (1 KiB in, 1 KiB out in the bench). */
export function shout(s) {
  return s.length === 0 ? s : s[0].toUpperCase() + s.slice(1);
}

/** Calls the host `n` times: the guest-to-host measure. */
export function callHost(n) {
  let acc = 0;
  for (let i = 0; i < n; i++) acc = tick(acc);
  return acc;
}

/** Naive recursion: the engine's own speed on a small compute kernel. */
export function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
