;; A counted loop of 2^32 - 1 turns (i from 1 up to 0, wrapping): its whole count is charged
;; before the first turn, so a small budget ends it at once instead of after seconds.
(module
  (memory (export "memory") 1)
  (func (export "run") (local $i i32)
    (local.set $i (i32.const 1))
    (loop $turn
      (i32.store (i32.and (local.get $i) (i32.const 0xfffc)) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $turn (local.get $i)))))
