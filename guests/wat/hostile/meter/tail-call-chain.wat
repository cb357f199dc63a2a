;; The shape of the tail-call-chain attack on the rewriter: functions that tail-call the next,
;; ending in an import. The test builds chains of 20,000 links.
(module
  (import "host" "end" (func $end (param i32) (result i32)))
  (func $f0 (export "run") (param i32) (result i32) (return_call $f1 (i32.add (local.get 0) (i32.const 1))))
  (func $f1 (param i32) (result i32) (return_call $f2 (i32.add (local.get 0) (i32.const 1))))
  (func $f2 (param i32) (result i32) (return_call $end (i32.add (local.get 0) (i32.const 1)))))
