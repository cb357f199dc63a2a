;; Strings in the utf16 encoding (`string-encoding=utf16`): lengths count 16-bit code units,
;; data is UTF-16LE, 2-aligned (test/abi/wat-corpus.ts).
(component
  (core module $m
    (memory (export "memory") 1)
    (global $heap (mut i32) (i32.const 8192))
    (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
      (local $p i32)
      (if (i32.ne (local.get $old) (i32.const 0)) (then unreachable))
      (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
      (global.set $heap (i32.add (local.get $p) (local.get $size)))
      (if (i32.gt_u (global.get $heap) (i32.const 65536)) (then unreachable))
      (local.get $p))
    ;; "hi🚀": h, i, then the surrogate pair D83D DE80.
    (data (i32.const 1024) "h\00i\00\3d\d8\80\de")
    (data (i32.const 1040) "\00\04\00\00" "\04\00\00\00")
    (func (export "get-string") (result i32) (i32.const 1040))
    (func (export "string-units") (param i32 i32) (result i32) (local.get 1))
    ;; The pointer of a lowered string is 2-aligned: its remainder modulo 2.
    (func (export "string-misalignment") (param i32 i32) (result i32) (i32.and (local.get 0) (i32.const 1)))
  )
  (core instance $i (instantiate $m))
  (alias core export $i "memory" (core memory $mem))
  (alias core export $i "cabi_realloc" (core func $realloc))
  (func (export "get-string") (result string)
    (canon lift (core func $i "get-string") (memory $mem) string-encoding=utf16))
  (func (export "string-units") (param "s" string) (result u32)
    (canon lift (core func $i "string-units") (memory $mem) (realloc $realloc) string-encoding=utf16))
  (func (export "string-misalignment") (param "s" string) (result u32)
    (canon lift (core func $i "string-misalignment") (memory $mem) (realloc $realloc) string-encoding=utf16))
)
