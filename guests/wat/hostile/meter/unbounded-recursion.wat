;; A function that calls itself forever, keeping a frame alive each time.
(module
  (func $down (export "run") (param $depth i32) (result i32)
    (i32.add (call $down (i32.add (local.get $depth) (i32.const 1))) (i32.const 1))))
