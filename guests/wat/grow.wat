;; Hostile: linear-memory growth. `bomb` grows one MiB at a time until memory.grow fails and
;; returns the final size in pages; only the sandbox's memory limit (64 MiB by default, enforced
;; by the metering pass) bounds it, so tests call the bounded exports only.
(module
  (memory (export "memory") 1)
  ;; Grow by `pages` once: the old size in pages, or -1 when refused.
  (func (export "grow") (param $pages i32) (result i32)
    (memory.grow (local.get $pages)))
  (func (export "size") (result i32)
    (memory.size))
  (func (export "bomb") (result i32)
    (block $refused
      (loop $more
        (br_if $refused (i32.eq (memory.grow (i32.const 16)) (i32.const -1)))
        (br $more)))
    (memory.size)))
