;; Hostile: unbounded recursion. The engine's stack limit stops it; the kernel reports
;; stack-overflow and the host carries on.
(module
  (func $recurse (export "recurse") (param $depth i32) (result i32)
    (i32.add
      (call $recurse (i32.add (local.get $depth) (i32.const 1)))
      (i32.const 1))))
