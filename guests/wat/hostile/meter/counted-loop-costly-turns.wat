;; A counted loop of 10 turns under a cost model that prices every instruction at 2^31 - 1
;; fuel: count x cost must not overflow, so such turns are charged one by one.
(module
  (func (export "run") (result i32) (local $i i32)
    (loop $turn
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $turn (i32.lt_u (local.get $i) (i32.const 10))))
    (local.get $i)))
