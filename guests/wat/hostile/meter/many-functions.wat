;; The shape of the many-functions attack: a module of tiny functions. The test builds the
;; full-size module (100,000 functions) in binary, as its text would be megabytes.
(module
  (func (export "f0") (result i32) (i32.const 1))
  (func (result i32) (i32.const 1))
  (func (result i32) (i32.const 1)))
