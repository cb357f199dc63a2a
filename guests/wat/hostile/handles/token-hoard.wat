;; Attack: make the host's handle tables grow without bound with resources the guest defines
;; itself: `resource.new` of its own `token` type `n` times, never dropping one (unless told to).
(module
  (import "[export]test:hostile/tokens" "[resource-new]token" (func $new (param i32) (result i32)))
  (import "[export]test:hostile/tokens" "[resource-drop]token" (func $drop (param i32)))
  (memory (export "memory") 1)
  (func (export "test:hostile/tokens#hoard") (param $n i32) (param $drop i32) (result i32)
    (local $i i32) (local $handle i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $handle (call $new (local.get $i)))
        (if (local.get $drop) (then (call $drop (local.get $handle))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $i)))
