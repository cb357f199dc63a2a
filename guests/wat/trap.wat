;; Traps, each reported by the kernel as `trap` with V8's reason, after which the sandbox is
;; poisoned (its state can no longer be trusted).
(module
  (memory 1)
  ;; "unreachable"
  (func (export "unreachable")
    unreachable)
  ;; "divide by zero" (the divisor is a parameter so that nothing folds it away)
  (func (export "div") (param $a i32) (param $b i32) (result i32)
    (i32.div_s (local.get $a) (local.get $b)))
  ;; "divide result unrepresentable": INT32_MIN / -1
  (func (export "overflow") (result i32)
    (i32.div_s (i32.const 0x80000000) (i32.const -1)))
  ;; "memory access out of bounds"
  (func (export "out_of_bounds") (result i32)
    (i32.load (i32.const 0x7fffffff))))
