;; Asks for 4 GiB of linear memory up front.
(module
  (memory (export "memory") 65536)
  (func (export "run") (result i32) (memory.size)))
