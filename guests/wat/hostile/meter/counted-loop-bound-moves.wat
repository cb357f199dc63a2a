;; A loop shaped as counted whose bound moves with it: i < n, but every turn adds 1 to both,
;; so the count taken at the start (n - i = 10) is not the count that runs (forever).
(module
  (func (export "run") (local $i i32) (local $n i32)
    (local.set $n (i32.const 10))
    (loop $turn
      (if (i32.lt_s (local.get $i) (local.get $n))
        (then
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $turn))))))
