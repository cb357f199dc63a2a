;; Hostile: an infinite loop. Only fuel metering stops it (fuel-exhausted); without metering a
;; call never returns, so tests only load and spawn it.
(module
  (func (export "spin")
    (loop $forever
      (br $forever)))
  ;; A bounded loop for comparison: counts down from n and returns the number of iterations.
  (func (export "count") (param $n i32) (result i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $i)))
