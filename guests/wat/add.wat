;; A plain core module (no imports, nothing to grant) with numeric exports: the smallest guest
;; the kernel runs as is. `keel run add.wasm --invoke add --args '[2, 3]'` prints 5.
(module
  (func (export "add") (param $a i32) (param $b i32) (result i32)
    (i32.add (local.get $a) (local.get $b)))
  ;; i64 arguments arrive as BigInt (or JSON numbers and strings through invoke); results that
  ;; do not fit a double come back as strings.
  (func (export "add_i64") (param $a i64) (param $b i64) (result i64)
    (i64.add (local.get $a) (local.get $b)))
  (func (export "mul_f64") (param $a f64) (param $b f64) (result f64)
    (f64.mul (local.get $a) (local.get $b))))
