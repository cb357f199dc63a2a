;; A counted loop of no turns whose exit path branches back to the loop: the count covers the
;; test, the second back edge makes it turn forever.
(module
  (func (export "run") (local $i i32)
    (loop $turn
      (if (i32.lt_s (local.get $i) (i32.const 0))
        (then
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $turn))
        (else (br $turn))))))
