;; The shape of the nested-blocks attack: blocks inside blocks. The test builds the
;; full-size module (10,000 levels and more) in binary.
(module
  (func (export "f0") (result i32)
    (block (block (block (br 2))))
    (i32.const 1)))
