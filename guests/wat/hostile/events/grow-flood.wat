;; Asks for more memory than any sandbox may have, over and over: each refused memory.grow is a
;; memory:limit event. `grow(n)` asks n times.
(module
  (memory 1)
  (func $grow (export "grow") (param $n i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        ;; 2,048 pages (128 MiB): over the 64 MiB default, refused at once
        (drop (memory.grow (i32.const 2048)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))))
