;; A loop that never ends: `loop forever` with nothing in its body.
(module
  (func (export "run")
    (loop $forever (br $forever))))
