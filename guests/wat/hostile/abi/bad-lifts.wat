;; A guest whose exports hand the host values that break the canonical ABI: a string past the
;; end of its memory, a misaligned list, an enum case that does not exist, a char that is not
;; a Unicode scalar value, a list whose length times its element size wraps 32 bits
;; (test/hostile/abi/out-of-bounds-lift.test.ts).
(module
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  (func (export "oob-string") (result i32)
    (i32.store (i32.const 16) (i32.const 0xfff0))
    (i32.store (i32.const 20) (i32.const 100))
    (i32.const 16))
  (func (export "huge-string") (result i32)
    (i32.store (i32.const 16) (i32.const 0))
    (i32.store (i32.const 20) (i32.const 0xffffffff))
    (i32.const 16))
  (func (export "misaligned-list") (result i32)
    (i32.store (i32.const 16) (i32.const 1))
    (i32.store (i32.const 20) (i32.const 2))
    (i32.const 16))
  (func (export "wrapping-list") (result i32)
    (i32.store (i32.const 16) (i32.const 8))
    (i32.store (i32.const 20) (i32.const 0x40000001))
    (i32.const 16))
  (func (export "bad-enum") (result i32) (i32.const 7))
  (func (export "bad-char") (result i32) (i32.const 0xd800))
  (func (export "bad-result-pointer") (result i32) (i32.const 0x7ffffff0)))
