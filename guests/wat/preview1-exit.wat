;; A WASI preview1 command that exits with status 3 from _start. The exit ends the sandbox,
;; never the host process: the kernel reports it as the invocation's outcome (exit: 3).
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param $code i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $proc_exit (i32.const 3))
    ;; proc_exit does not return.
    unreachable))
