;; Compute that never ends, in three shapes: a loop, a chain of tail calls (no loop at all:
;; only function-entry checks), and a counted loop of 2^32 - 1 turns (charged before it starts,
;; so its turns have no check of their own).
(module
  (memory (export "memory") 1)
  (func (export "loop") (loop $l (br $l)))
  (func $tail (export "tail-calls") (return_call $tail))
  (func (export "counted") (param $n i32) (local $i i32)
    (loop $l
      (i32.store (i32.const 0) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.ne (local.get $i) (local.get $n))))))
