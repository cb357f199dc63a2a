;; A loop shaped as counted whose variable is written twice: i += 1, then i -= 1, so i < 10
;; holds forever while the increment alone would count 10 turns.
(module
  (func (export "run") (local $i i32)
    (loop $turn
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br_if $turn (i32.lt_s (local.get $i) (i32.const 10))))))
