/**
 * Small compute kernels in WAT for the metering quick comparison (not the full suite, which is
 * bench/compute). Each exports `run(n) -> i32|i64|f64` and is sized by `n`.
 */
export interface Kernel {
  name: string;
  wat: string;
  /** Argument that makes one run take tens of milliseconds on plain V8. */
  n: number;
}

export const KERNELS: readonly Kernel[] = [
  {
    name: 'fib (recursion)',
    n: 32,
    wat: `(module (func $fib (param i32) (result i32)
      (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
        (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                       (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
      (func (export "run") (param i32) (result i32) (call $fib (local.get 0))))`,
  },
  {
    name: 'sieve (loops, memory)',
    n: 6,
    wat: `(module (memory 32)
      (func (export "run") (param $reps i32) (result i32) (local $i i32) (local $j i32) (local $count i32) (local $r i32)
        (loop $rep
          (memory.fill (i32.const 0) (i32.const 1) (i32.const 2000000))
          (local.set $count (i32.const 0))
          (local.set $i (i32.const 2))
          (block $done (loop $outer
            (br_if $done (i32.ge_u (local.get $i) (i32.const 2000000)))
            (if (i32.load8_u (local.get $i)) (then
              (local.set $count (i32.add (local.get $count) (i32.const 1)))
              (local.set $j (i32.mul (local.get $i) (local.get $i)))
              (block $d2 (loop $inner
                (br_if $d2 (i32.ge_u (local.get $j) (i32.const 2000000)))
                (i32.store8 (local.get $j) (i32.const 0))
                (local.set $j (i32.add (local.get $j) (local.get $i)))
                (br $inner)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $outer)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $rep (i32.lt_u (local.get $r) (local.get $reps))))
        (local.get $count)))`,
  },
  {
    name: 'matmul (f64, nested loops)',
    n: 250,
    wat: `(module (memory 32)
      (func (export "run") (param $n i32) (result f64) (local $i i32) (local $j i32) (local $k i32) (local $s f64)
        (local $a i32) (local $b i32) (local $c i32)
        (local.set $b (i32.mul (i32.mul (local.get $n) (local.get $n)) (i32.const 8)))
        (local.set $c (i32.mul (local.get $b) (i32.const 2)))
        (local.set $i (i32.const 0))
        (loop $init
          (f64.store (i32.mul (local.get $i) (i32.const 8)) (f64.convert_i32_s (i32.rem_u (local.get $i) (i32.const 7))))
          (f64.store (i32.add (local.get $b) (i32.mul (local.get $i) (i32.const 8))) (f64.convert_i32_s (i32.rem_u (local.get $i) (i32.const 5))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $init (i32.lt_u (local.get $i) (i32.mul (local.get $n) (local.get $n)))))
        (local.set $i (i32.const 0))
        (loop $li
          (local.set $j (i32.const 0))
          (loop $lj
            (local.set $s (f64.const 0))
            (local.set $k (i32.const 0))
            (loop $lk
              (local.set $s (f64.add (local.get $s) (f64.mul
                (f64.load (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $k)) (i32.const 3)))
                (f64.load (i32.add (local.get $b) (i32.shl (i32.add (i32.mul (local.get $k) (local.get $n)) (local.get $j)) (i32.const 3)))))))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br_if $lk (i32.lt_u (local.get $k) (local.get $n))))
            (f64.store (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 3))) (local.get $s))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br_if $lj (i32.lt_u (local.get $j) (local.get $n))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $li (i32.lt_u (local.get $i) (local.get $n))))
        (f64.load (i32.add (local.get $c) (i32.const 8)))))`,
  },
  {
    name: 'sort (quicksort, calls + loops)',
    n: 300000,
    wat: `(module (memory 32)
      (func $qs (param $lo i32) (param $hi i32) (local $i i32) (local $j i32) (local $p i32) (local $t i32)
        (loop $tail
          (if (i32.lt_s (local.get $lo) (local.get $hi)) (then
            (local.set $p (i32.load (i32.shl (i32.shr_u (i32.add (local.get $lo) (local.get $hi)) (i32.const 1)) (i32.const 2))))
            (local.set $i (local.get $lo))
            (local.set $j (local.get $hi))
            (loop $part
              (loop $li (if (i32.lt_s (i32.load (i32.shl (local.get $i) (i32.const 2))) (local.get $p))
                (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $li))))
              (loop $lj (if (i32.gt_s (i32.load (i32.shl (local.get $j) (i32.const 2))) (local.get $p))
                (then (local.set $j (i32.sub (local.get $j) (i32.const 1))) (br $lj))))
              (if (i32.le_s (local.get $i) (local.get $j)) (then
                (local.set $t (i32.load (i32.shl (local.get $i) (i32.const 2))))
                (i32.store (i32.shl (local.get $i) (i32.const 2)) (i32.load (i32.shl (local.get $j) (i32.const 2))))
                (i32.store (i32.shl (local.get $j) (i32.const 2)) (local.get $t))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (local.set $j (i32.sub (local.get $j) (i32.const 1)))))
              (br_if $part (i32.le_s (local.get $i) (local.get $j))))
            (call $qs (local.get $lo) (local.get $j))
            (local.set $lo (local.get $i))
            (br $tail)))))
      (func (export "run") (param $n i32) (result i32) (local $i i32) (local $x i32)
        (local.set $x (i32.const 12345))
        (loop $fill
          (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 13))))
          (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 17))))
          (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 5))))
          (i32.store (i32.shl (local.get $i) (i32.const 2)) (local.get $x))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $fill (i32.lt_u (local.get $i) (local.get $n))))
        (call $qs (i32.const 0) (i32.sub (local.get $n) (i32.const 1)))
        (i32.load (i32.const 400))))`,
  },
  {
    name: 'hash (fnv-1a over bytes)',
    n: 30,
    wat: `(module (memory 16)
      (func (export "run") (param $reps i32) (result i32) (local $h i32) (local $i i32) (local $r i32)
        (local.set $h (i32.const 0x811c9dc5))
        (loop $rep
          (local.set $i (i32.const 0))
          (loop $l
            (local.set $h (i32.mul (i32.xor (local.get $h) (i32.load8_u (local.get $i))) (i32.const 0x01000193)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (i32.const 1000000))))
          (i32.store8 (i32.and (local.get $h) (i32.const 0xffff)) (local.get $h))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $rep (i32.lt_u (local.get $r) (local.get $reps))))
        (local.get $h)))`,
  },
  {
    name: 'mandelbrot (floating point)',
    n: 300,
    wat: `(module
      (func (export "run") (param $n i32) (result i32) (local $x i32) (local $y i32) (local $k i32) (local $count i32)
        (local $cr f64) (local $ci f64) (local $zr f64) (local $zi f64) (local $t f64)
        (loop $ly
          (local.set $x (i32.const 0))
          (loop $lx
            (local.set $cr (f64.sub (f64.div (f64.mul (f64.convert_i32_s (local.get $x)) (f64.const 3)) (f64.convert_i32_s (local.get $n))) (f64.const 2)))
            (local.set $ci (f64.sub (f64.div (f64.mul (f64.convert_i32_s (local.get $y)) (f64.const 2)) (f64.convert_i32_s (local.get $n))) (f64.const 1)))
            (local.set $zr (f64.const 0)) (local.set $zi (f64.const 0)) (local.set $k (i32.const 0))
            (block $esc (loop $it
              (br_if $esc (f64.gt (f64.add (f64.mul (local.get $zr) (local.get $zr)) (f64.mul (local.get $zi) (local.get $zi))) (f64.const 4)))
              (local.set $t (f64.add (f64.sub (f64.mul (local.get $zr) (local.get $zr)) (f64.mul (local.get $zi) (local.get $zi))) (local.get $cr)))
              (local.set $zi (f64.add (f64.mul (f64.mul (local.get $zr) (local.get $zi)) (f64.const 2)) (local.get $ci)))
              (local.set $zr (local.get $t))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br_if $it (i32.lt_u (local.get $k) (i32.const 200)))))
            (local.set $count (i32.add (local.get $count) (local.get $k)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br_if $lx (i32.lt_u (local.get $x) (local.get $n))))
          (local.set $y (i32.add (local.get $y) (i32.const 1)))
          (br_if $ly (i32.lt_u (local.get $y) (local.get $n))))
        (local.get $count)))`,
  },
  {
    name: 'dispatch (call_indirect)',
    n: 20_000_000,
    wat: `(module (type $op (func (param i32 i32) (result i32)))
      (table 2 funcref) (elem (i32.const 0) $add $xor)
      (func $add (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
      (func $xor (param i32 i32) (result i32) (i32.xor (i32.mul (local.get 0) (i32.const 31)) (local.get 1)))
      (func (export "run") (param $n i32) (result i32) (local $i i32) (local $acc i32)
        (loop $l
          (local.set $acc (call_indirect (type $op) (local.get $acc) (local.get $i) (i32.and (local.get $i) (i32.const 1))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $acc)))`,
  },
  {
    name: 'fib, exported and recursive',
    n: 32,
    wat: `(module (func $fib (export "run") (param i32) (result i32)
      (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
        (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                       (call $fib (i32.sub (local.get 0) (i32.const 2))))))))`,
  },
];
