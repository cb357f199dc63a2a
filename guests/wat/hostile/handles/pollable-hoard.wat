;; Attack: make the host hold objects without bound. Asks stdout's stream for a new pollable
;; `n` times and, unless told to drop each one, never gives one back.
(module
  (import "wasi:cli/stdout@0.2.3" "get-stdout" (func $get-stdout (result i32)))
  (import "wasi:io/streams@0.2.3" "[method]output-stream.subscribe" (func $subscribe (param i32) (result i32)))
  (import "wasi:io/poll@0.2.3" "[resource-drop]pollable" (func $drop-pollable (param i32)))
  (memory (export "memory") 1)
  (func (export "hoard") (param $n i32) (param $drop i32) (result i32)
    (local $stream i32) (local $i i32) (local $pollable i32)
    (local.set $stream (call $get-stdout))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $pollable (call $subscribe (local.get $stream)))
        (if (local.get $drop) (then (call $drop-pollable (local.get $pollable))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $i)))
