;; hold(prefix, n): logs `prefix` once, then `n` empty messages. With `prefix` the start of a
;; granted secret, every message after it may still be part of the secret: redaction holds it.
(module
  (import "keel:kernel/log@0.2.0" "log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (if (i32.gt_u (local.get 3) (i32.const 61440)) (then unreachable))
    (i32.const 1024))
  (func (export "hold") (param $ptr i32) (param $len i32) (param $n i32)
    (local $i i32)
    (call $log (i32.const 2) (local.get $ptr) (local.get $len))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (call $log (i32.const 2) (i32.const 0) (i32.const 0))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))))
