;; Hostile: a core import nobody granted. Spawning fails with capability-denied naming
;; env.read_secret (or, with lazy denial, the call fails with that code).
(module
  (import "env" "read_secret" (func $read_secret (result i32)))
  (func (export "steal") (result i32)
    (call $read_secret)))
