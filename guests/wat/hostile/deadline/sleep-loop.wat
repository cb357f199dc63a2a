;; A WASI preview1 command that sleeps 1 s, forever: `poll_oneoff` on a relative monotonic-clock
;; subscription (preview1's `sleep`), which Keel serves as `subscribe-duration` + `block`. Each
;; sleep costs the guest only the call's fuel.
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    ;; subscription at 0: userdata 0, tag 0 (clock), clock id 1 (monotonic), timeout 1 s,
    ;; precision 0, flags 0 (relative)
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.const 1000000000))
    (loop $forever
      (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))
      (br $forever))))
