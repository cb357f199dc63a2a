;; log-pieces(s, size): calls keel:kernel/log once per `size` bytes of s (size 0 counts as 1).
(module
  (import "keel:kernel/log@0.2.0" "log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 2)
  ;; One argument in flight at a time: every allocation reuses the same area.
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (if (i32.gt_u (local.get 3) (i32.const 61440)) (then unreachable))
    (i32.const 1024))
  (func (export "log-pieces") (param $ptr i32) (param $len i32) (param $size i32)
    (local $at i32) (local $n i32)
    (if (i32.eqz (local.get $size)) (then (local.set $size (i32.const 1))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $at) (local.get $len)))
        (local.set $n (i32.sub (local.get $len) (local.get $at)))
        (if (i32.gt_u (local.get $n) (local.get $size)) (then (local.set $n (local.get $size))))
        (call $log (i32.const 2) (i32.add (local.get $ptr) (local.get $at)) (local.get $n))
        (local.set $at (i32.add (local.get $at) (local.get $n)))
        (br $next)))))
