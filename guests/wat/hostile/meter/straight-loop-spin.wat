;; Loops of straight-line code that never end, in both shapes the meter checks at the back
;; edge (host/meter/straight.ts): each turn writes memory, so a turn that ran is visible.
(module
  (memory (export "memory") 1)
  ;; do shape: loop B br_if 0 end, its test always true
  (func (export "run") (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (i32.store (i32.const 0) (local.get $i))
      (br_if $l (i32.const 1))))
  ;; while shape: loop H if B br 1 end end
  (func (export "run_while") (local $i i32)
    (loop $l
      (if (i32.ge_s (local.get $i) (i32.const 0))
        (then
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (i32.store (i32.const 4) (local.get $i))
          (br $l))))))
