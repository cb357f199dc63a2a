;; Attack: with lazy denial, call an ungranted import (create-tcp-socket) `n` times in a loop,
;; hoping that refused calls cost nothing. Returns how many were refused with access-denied.
(module
  (import "wasi:sockets/tcp-create-socket@0.2.3" "create-tcp-socket" (func $create (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "flood") (param $n i32) (result i32)
    (local $i i32) (local $refused i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (call $create (i32.const 0) (i32.const 16))
        ;; err(access-denied): discriminant 1, payload 1
        (local.set $refused
          (i32.add (local.get $refused)
            (i32.and (i32.load8_u (i32.const 16)) (i32.load8_u (i32.const 20)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $refused)))
