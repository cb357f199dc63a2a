;; A loop shaped as counted whose test can never fail: i goes 0, 2, 4, ... and the loop turns
;; while i != 1. The count is "never": the metering must charge it as more than any budget.
(module
  (func (export "run") (local $i i32)
    (loop $turn
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br_if $turn (i32.ne (local.get $i) (i32.const 1))))))
