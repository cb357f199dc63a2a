;; Tries to create a TCP socket. Returns 100 * discriminant + payload of the result:
;; 101 is err(access-denied).
(module
  (import "wasi:sockets/tcp-create-socket@0.2.3" "create-tcp-socket" (func $create (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "try-socket") (result i32)
    (call $create (i32.const 0) (i32.const 16))
    (i32.add
      (i32.mul (i32.load8_u (i32.const 16)) (i32.const 100))
      (i32.load8_u (i32.const 20)))))
