;; A guest whose export returns a list of n strings that all name the same 1 MiB of its
;; memory: n MiB for the host to decode from 1.5 MiB of guest memory (test/hostile/abi/
;; aliased-strings-bomb.test.ts). World: `export bomb: func(n: u32) -> list<string>;`
(module
  (memory (export "memory") 24)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
  (func (export "bomb") (param $n i32) (result i32)
    (local $i i32) (local $entry i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        ;; entry i at 0x110000 + 8i: (ptr 0x10000, len 1 MiB)
        (local.set $entry (i32.add (i32.const 0x110000) (i32.shl (local.get $i) (i32.const 3))))
        (i32.store (local.get $entry) (i32.const 0x10000))
        (i32.store offset=4 (local.get $entry) (i32.const 0x100000))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.store (i32.const 16) (i32.const 0x110000))
    (i32.store (i32.const 20) (local.get $n))
    (i32.const 16)))
