;; The memory:limit flood of grow-flood.wat from a start function: 1,000,000 refused
;; memory.grow calls at instantiation, before any invocation.
(module
  (memory 1)
  (func $on-start
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.const 1000000)))
        (drop (memory.grow (i32.const 2048)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))
  (start $on-start)
  (func (export "noop")))
