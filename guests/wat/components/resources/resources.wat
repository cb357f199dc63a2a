;; The core module of the resources component (resources.wit, built by componentEmbed and
;; componentNew at test time; test/abi/resource-corpus.ts has the expected values).
;;
;; A counter's representation is the address of a 4-byte cell holding its value; the
;; destructor counts the counters destroyed (`drops`). `weigh` uses a blob of the host:
;; makes one, asks its size both ways, and drops it.
(module
  (import "keel:corpus/blobs" "make-blob" (func $make-blob (param i32) (result i32)))
  (import "keel:corpus/blobs" "blob-size" (func $blob-size (param i32) (result i32)))
  (import "keel:corpus/blobs" "[method]blob.size" (func $blob.size (param i32) (result i32)))
  (import "keel:corpus/blobs" "[resource-drop]blob" (func $drop-blob (param i32)))
  (import "[export]keel:corpus/counters" "[resource-new]counter" (func $new (param i32) (result i32)))
  (import "[export]keel:corpus/counters" "[resource-rep]counter" (func $rep (param i32) (result i32)))
  (import "[export]keel:corpus/counters" "[resource-drop]counter" (func $drop (param i32)))
  (memory (export "memory") 1)
  (global $cells (mut i32) (i32.const 1024))
  (global $drops (mut i32) (i32.const 0))

  ;; A new counter of this value: a cell, then a handle to it.
  (func $counter (param $value i32) (result i32)
    (local $cell i32)
    (local.set $cell (global.get $cells))
    (global.set $cells (i32.add (global.get $cells) (i32.const 4)))
    (i32.store (local.get $cell) (local.get $value))
    (call $new (local.get $cell)))

  (func (export "keel:corpus/counters#[constructor]counter") (param $start i32) (result i32)
    (call $counter (local.get $start)))
  ;; A borrow of the guest's own resource arrives as its representation (the cell).
  (func (export "keel:corpus/counters#[method]counter.bump") (param $self i32) (param $by i32) (result i32)
    (i32.store (local.get $self) (i32.add (i32.load (local.get $self)) (local.get $by)))
    (i32.load (local.get $self)))
  (func (export "keel:corpus/counters#[method]counter.value") (param $self i32) (result i32)
    (i32.load (local.get $self)))
  ;; Owned counters arrive as handles: read them, drop them (their destructors run), make a new one.
  (func (export "keel:corpus/counters#[static]counter.merge") (param $a i32) (param $b i32) (result i32)
    (local $sum i32)
    (local.set $sum (i32.add (i32.load (call $rep (local.get $a))) (i32.load (call $rep (local.get $b)))))
    (call $drop (local.get $a))
    (call $drop (local.get $b))
    (call $counter (local.get $sum)))
  (func (export "keel:corpus/counters#[dtor]counter") (param $rep i32)
    (global.set $drops (i32.add (global.get $drops) (i32.const 1))))

  (func (export "keel:corpus/counters#make") (param $start i32) (result i32)
    (call $counter (local.get $start)))
  (func (export "keel:corpus/counters#peek") (param $c i32) (result i32)
    (i32.load (local.get $c)))
  (func (export "keel:corpus/counters#finish") (param $c i32) (result i32)
    (local $value i32)
    (local.set $value (i32.load (call $rep (local.get $c))))
    (call $drop (local.get $c))
    (local.get $value))
  (func (export "keel:corpus/counters#drops") (result i32) (global.get $drops))
  (func (export "keel:corpus/counters#weigh") (param $size i32) (result i32)
    (local $blob i32) (local $a i32) (local $b i32)
    (local.set $blob (call $make-blob (local.get $size)))
    (local.set $a (call $blob-size (local.get $blob)))
    (local.set $b (call $blob.size (local.get $blob)))
    (call $drop-blob (local.get $blob))
    ;; Both ways must agree: the size, else a value no size can be.
    (select (local.get $a) (i32.const -1) (i32.eq (local.get $a) (local.get $b))))
)
