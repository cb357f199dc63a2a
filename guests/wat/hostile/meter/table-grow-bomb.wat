;; Grows a table a thousand elements at a time until the engine refuses; returns its size.
(module
  (table $t 1 funcref)
  (func (export "run") (result i32)
    (block $refused
      (loop $more
        (br_if $refused (i32.eq (table.grow $t (ref.null func) (i32.const 1000)) (i32.const -1)))
        (br $more)))
    (table.size $t)))
