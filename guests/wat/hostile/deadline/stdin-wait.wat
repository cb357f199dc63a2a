;; Reads stdin forever: each fd_read waits for input that never comes (a pipe whose writer
;; neither writes nor closes). Every wait on the kernel's thread must end at the call's deadline.
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; One iovec at 0: 256 bytes at 16.
  (data (i32.const 0) "\10\00\00\00\00\01\00\00")
  (func (export "_start")
    (loop $again
      (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
      (br $again))))
