;; Attack: a preview1 command that overwrites all of its own linear memory between two
;; fd_write calls, as a guest allocator may. Keel keeps preview1's state (the descriptor
;; table, positions) in the host, so nothing the guest writes can corrupt it; jco's adapter
;; keeps its state in the guest's memory and does not survive this.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 4)
  (func $say (param $byte i32)
    ;; "<byte>\n" at 0, one iovec { 0, 2 } at 16, the count at 24.
    (i32.store8 (i32.const 0) (local.get $byte))
    (i32.store8 (i32.const 1) (i32.const 10))
    (i32.store (i32.const 16) (i32.const 0))
    (i32.store (i32.const 20) (i32.const 2))
    (if (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24))
      (then unreachable)))
  (func (export "_start")
    (call $say (i32.const 65))
    ;; Every byte of memory, 0xff.
    (memory.fill (i32.const 0) (i32.const 0xff) (i32.mul (memory.size) (i32.const 65536)))
    (call $say (i32.const 66))))
