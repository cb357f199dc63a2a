;; A loop shaped as counted that wraps around: i <= 0x7fffffff holds for every i32, so the loop
;; never ends. Counting it as "bound + 1 - i" turns would count 0 (the bound + 1 wraps).
(module
  (func (export "run") (local $i i32)
    (loop $turn
      (if (i32.le_s (local.get $i) (i32.const 0x7fffffff))
        (then
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $turn))))))
