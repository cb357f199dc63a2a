;; The shape of the giant-function attack: one function body of millions of instructions,
;; with branches so that the metering has many blocks to charge. The test builds it in binary.
(module
  (func (export "f0") (result i32)
    (block $b
      (br_if $b (i32.const 0))
      (br_if $b (i32.const 0))
      (br_if $b (i32.const 0)))
    (i32.const 1)))
