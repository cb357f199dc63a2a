;; A WASI preview1 command that polls once on an absolute monotonic-clock instant 10^18 ns
;; (about 31 years) ahead: `subscribe-instant` + `poll`, one call.
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    ;; subscription at 0: tag 0 (clock), clock id 1 (monotonic), timeout 10^18, flags 1 (abstime)
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.const 1000000000000000000))
    (i32.store16 (i32.const 40) (i32.const 1))
    (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))
