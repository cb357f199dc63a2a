;; Nested and composed components (test/abi/wat-corpus.ts): child components instantiated
;; inside the outer one, one child's export handed to another as its import (lowered and
;; lifted again between them), their functions aliased and re-exported at the top and inside
;; an exported instance (an interface), and two core modules sharing one memory through a shim
;; table patched by a fixup module, the way wit-component links the preview1 adapter.
(component
  ;; A child with its own core module.
  (component $math
    (core module $m
      (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
    (core instance $i (instantiate $m))
    (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add"))))
  (instance $math1 (instantiate $math))
  (alias export $math1 "add" (func $add))

  ;; A child that imports a function (the first child's), lowers it and calls it.
  (component $doubler
    (import "add" (func $add (param "a" u32) (param "b" u32) (result u32)))
    (core func $add-core (canon lower (func $add)))
    (core module $d
      (import "outer" "add" (func $add (param i32 i32) (result i32)))
      (func (export "twice") (param i32) (result i32) (call $add (local.get 0) (local.get 0))))
    (core instance $outer (export "add" (func $add-core)))
    (core instance $di (instantiate $d (with "outer" (instance $outer))))
    (func (export "twice") (param "x" u32) (result u32) (canon lift (core func $di "twice"))))
  (instance $doubler1 (instantiate $doubler (with "add" (func $add))))
  (alias export $doubler1 "twice" (func $twice))

  (export "add" (func $add))
  (instance $numbers (export "add" (func $add)) (export "twice" (func $twice)))
  (export "keel:corpus/numbers" (instance $numbers))

  ;; The shim: a table of one function, called through by whoever imports `upcase` from it.
  (core module $shim
    (type $t (func (param i32 i32)))
    (table (export "$imports") 1 1 funcref)
    (func (export "upcase") (param i32 i32)
      (call_indirect (type $t) (local.get 0) (local.get 1) (i32.const 0))))
  (core instance $shim1 (instantiate $shim))

  ;; The main module: owns the memory, calls `upcase` (through the shim) on its argument.
  (core module $main
    (import "helper" "upcase" (func $upcase (param i32 i32)))
    (memory (export "memory") 1)
    (global $heap (mut i32) (i32.const 1024))
    (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
      (local $p i32)
      (if (i32.ne (local.get $old) (i32.const 0)) (then unreachable))
      (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
      (global.set $heap (i32.add (local.get $p) (local.get $size)))
      (if (i32.gt_u (global.get $heap) (i32.const 65536)) (then unreachable))
      (local.get $p))
    (func (export "shout") (param $ptr i32) (param $len i32) (result i32)
      (call $upcase (local.get $ptr) (local.get $len))
      (i32.store (i32.const 16) (local.get $ptr))
      (i32.store (i32.const 20) (local.get $len))
      (i32.const 16)))
  (core instance $main1 (instantiate $main (with "helper" (instance $shim1))))
  (alias core export $main1 "memory" (core memory $mem))
  (alias core export $main1 "cabi_realloc" (core func $realloc))

  ;; The helper: works on the main module's memory, which it imports.
  (core module $helper
    (import "env" "memory" (memory 1))
    (func (export "upcase") (param $p i32) (param $n i32)
      (local $c i32)
      (block $done
        (loop $next
          (br_if $done (i32.eqz (local.get $n)))
          (local.set $c (i32.load8_u (local.get $p)))
          (if (i32.and (i32.ge_u (local.get $c) (i32.const 0x61)) (i32.le_u (local.get $c) (i32.const 0x7a)))
            (then (i32.store8 (local.get $p) (i32.sub (local.get $c) (i32.const 0x20)))))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $next)))))
  (core instance $env (export "memory" (memory $mem)))
  (core instance $helper1 (instantiate $helper (with "env" (instance $env))))

  ;; The fixup: puts the helper's function into the shim's table.
  (core module $fixup
    (type $t (func (param i32 i32)))
    (import "" "$imports" (table 1 1 funcref))
    (import "" "upcase" (func $upcase (type $t)))
    (elem (i32.const 0) func $upcase))
  (alias core export $shim1 "$imports" (core table $imports))
  (alias core export $helper1 "upcase" (core func $upcase))
  (core instance $fixup-args (export "$imports" (table $imports)) (export "upcase" (func $upcase)))
  (core instance (instantiate $fixup (with "" (instance $fixup-args))))

  (func (export "shout") (param "s" string) (result string)
    (canon lift (core func $main1 "shout") (memory $mem) (realloc $realloc)))
)
