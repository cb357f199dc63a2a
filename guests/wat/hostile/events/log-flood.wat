;; Calls keel:kernel/log `n` times, each with a message of `len` bytes of "x" (len <= 65536).
(module
  (import "keel:kernel/log@0.2.0" "log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "flood") (param $n i32) (param $len i32)
    (local $i i32)
    (memory.fill (i32.const 0) (i32.const 0x78) (local.get $len))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        ;; level info (2)
        (call $log (i32.const 2) (i32.const 0) (local.get $len))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))))
