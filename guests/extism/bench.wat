;; An Extism plugin doing the bench component's work (scripts/lib/fixtures.ts BENCH_WAT), written
;; against Extism's kernel ABI as its PDKs use it: input and output are byte blocks held by the
;; host, read with input_load_u64/_u8 and written with alloc, store_u64/_u8 and output_set.
;; Every export is `() -> i32` (0 = success). Build: node guests/extism/build.mjs
(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  ;; A host function the embedder provides (the guest-to-host measure).
  (import "extism:host/user" "tick" (func $tick (param i32) (result i32)))
  (memory (export "memory") 1)

  ;; Returns a u32 as a 4-byte output.
  (func $output_u32 (param $v i32)
    (local $out i64)
    (local.set $out (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $out) (i64.extend_i32_u (local.get $v)))
    (call $output_set (local.get $out) (i64.const 4)))

  (func (export "noop") (result i32) (i32.const 0))

  ;; Input: two u32 (little-endian, 8 bytes). Output: their sum (4 bytes).
  (func (export "add") (result i32)
    (local $in i64)
    (local.set $in (call $input_load_u64 (i64.const 0)))
    (call $output_u32
      (i32.add (i32.wrap_i64 (local.get $in)) (i32.wrap_i64 (i64.shr_u (local.get $in) (i64.const 32)))))
    (i32.const 0))

  ;; Input: UTF-8 bytes. Output: the same bytes, the first one uppercased (ASCII). The input is
  ;; copied into linear memory at 1024 (8 bytes per host call, then byte by byte), changed, and
  ;; copied out to a new block the same way.
  (func (export "shout") (result i32)
    (local $len i64) (local $i i64) (local $out i64)
    (local.set $len (call $input_length))
    (if (i64.gt_u (local.get $len) (i64.const 61440)) (then (return (i32.const 1))))
    (block $done
      (loop $words
        (br_if $done (i64.gt_u (i64.add (local.get $i) (i64.const 8)) (local.get $len)))
        (i64.store (i32.wrap_i64 (i64.add (local.get $i) (i64.const 1024)))
          (call $input_load_u64 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 8)))
        (br $words)))
    (block $done
      (loop $bytes
        (br_if $done (i64.ge_u (local.get $i) (local.get $len)))
        (i32.store8 (i32.wrap_i64 (i64.add (local.get $i) (i64.const 1024)))
          (call $input_load_u8 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $bytes)))
    (if (i64.gt_u (local.get $len) (i64.const 0))
      (then (i32.store8 (i32.const 1024)
        (i32.and (i32.load8_u (i32.const 1024)) (i32.const 0xdf)))))
    (local.set $out (call $alloc (local.get $len)))
    (local.set $i (i64.const 0))
    (block $done
      (loop $words
        (br_if $done (i64.gt_u (i64.add (local.get $i) (i64.const 8)) (local.get $len)))
        (call $store_u64 (i64.add (local.get $out) (local.get $i))
          (i64.load (i32.wrap_i64 (i64.add (local.get $i) (i64.const 1024)))))
        (local.set $i (i64.add (local.get $i) (i64.const 8)))
        (br $words)))
    (block $done
      (loop $bytes
        (br_if $done (i64.ge_u (local.get $i) (local.get $len)))
        (call $store_u8 (i64.add (local.get $out) (local.get $i))
          (i32.load8_u (i32.wrap_i64 (i64.add (local.get $i) (i64.const 1024)))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $bytes)))
    (call $output_set (local.get $out) (local.get $len))
    (i32.const 0))

  ;; Input: n (u64, little-endian). Calls the host's tick n times, feeding each result to the
  ;; next call; output: the last result (4 bytes).
  (func (export "call_host") (result i32)
    (local $n i32) (local $i i32) (local $acc i32)
    (local.set $n (i32.wrap_i64 (call $input_load_u64 (i64.const 0))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (call $tick (local.get $acc)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $output_u32 (local.get $acc))
    (i32.const 0))
)
