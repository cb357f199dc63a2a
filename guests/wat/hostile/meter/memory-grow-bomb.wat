;; Grows memory one page at a time until the engine refuses; returns the pages it got.
;; Plain V8 takes over a minute to reach 4 GiB this way.
(module
  (memory (export "memory") 1)
  (func (export "run") (result i32)
    (block $refused
      (loop $more
        (br_if $refused (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $more)))
    (memory.size)))
