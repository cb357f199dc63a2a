/**
 * Components that pass a string from one component to another through Keel's adapter
 * (host/abi/strings.ts `lowerCarried`): the caller's side, which test/abi/adapter-string-realloc
 * and test/hostile/abi/adapter-string-realloc-lies share.
 */

export type Encoding = 'utf8' | 'utf16' | 'latin1+utf16';

/** `s`'s code units as UTF-16LE bytes (lone surrogates kept). */
export function utf16(s: string): Uint8Array {
  const b = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    b[2 * i] = s.charCodeAt(i) & 0xff;
    b[2 * i + 1] = s.charCodeAt(i) >> 8;
  }
  return b;
}

/** `bytes` as a WAT data string. */
export const hex = (b: Uint8Array) => [...b].map((x) => `\\${x.toString(16).padStart(2, '0')}`).join('');

/**
 * `(component $caller ...)`: its `run` passes `bytes` (at 64 in its memory) as a string of
 * `src` and `tagged` code units to its import `take`.
 */
export function stringCaller(src: Encoding, bytes: Uint8Array, tagged: number): string {
  return `(component $caller
    (import "take" (func $take (param "s" string)))
    (core module $libc
      (memory (export "memory") 1)
      (data (memory 0) (i32.const 64) "${hex(bytes)}"))
    (core instance $libc (instantiate $libc))
    (core func $take (canon lower (func $take) (memory $libc "memory") string-encoding=${src}))
    (core module $m
      (import "" "take" (func $take (param i32 i32)))
      (func (export "run") (call $take (i32.const 64) (i32.const ${tagged | 0}))))
    (core instance $m (instantiate $m (with "" (instance (export "take" (func $take))))))
    (func (export "run") (canon lift (core func $m "run")))
  )`;
}
