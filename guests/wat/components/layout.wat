;; The canonical ABI's memory layout and flat representation, checked against hand-laid bytes
;; (test/abi/wat-corpus.ts has the values CanonicalABI.md gives for each export).
;;
;; Exports named get-* lift values the core module laid out by hand in its data segments;
;; exports named *-raw and *-bytes hand back, as plain integers or bytes, exactly what the
;; lowering gave the core function (flat values, or the bytes in memory).
(component
  (core module $m
    (memory (export "memory") 1)
    ;; A bump allocator above 8192 (the fixed data lives below).
    (global $heap (mut i32) (i32.const 8192))
    (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
      (local $p i32)
      (if (i32.ne (local.get $old) (i32.const 0)) (then unreachable))
      (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
      (global.set $heap (i32.add (local.get $p) (local.get $size)))
      (if (i32.gt_u (global.get $heap) (i32.const 65536)) (then unreachable))
      (local.get $p))

    ;; record { a: u8, b: u64, c: u16, d: char }: a@0, b@8, c@16, d@20, size 24.
    (data (i32.const 1024) "\fe\00\00\00\00\00\00\00" "\08\07\06\05\04\03\02\01" "\ef\be\00\00" "\80\f6\01\00")
    (func (export "get-record") (result i32) (i32.const 1024))
    ;; option<option<u8>>: discriminant @0, inner discriminant @1, payload @2.
    (data (i32.const 1056) "\01\00\00")
    (func (export "get-some-none") (result i32) (i32.const 1056))
    (data (i32.const 1060) "\01\01\2a")
    (func (export "get-some-some") (result i32) (i32.const 1060))
    ;; record { x: u8, e: enum of 257 cases (u16 discriminant), y: u8 }: x@0, e@2, y@4.
    (data (i32.const 1064) "\01\00" "\00\01" "\02\00")
    (func (export "get-wide-enum") (result i32) (i32.const 1064))
    ;; record { f: flags of 17 (a u32), z: u8 }: f@0, z@4.
    (data (i32.const 1072) "\01\00\01\00" "\07\00\00\00")
    (func (export "get-flags") (result i32) (i32.const 1072))
    ;; list<string>: (1100, 3) → [(1200, 5), (1205, 0), (1210, 4)].
    (data (i32.const 1080) "\4c\04\00\00" "\03\00\00\00")
    (data (i32.const 1100) "\b0\04\00\00\05\00\00\00" "\b5\04\00\00\00\00\00\00" "\ba\04\00\00\04\00\00\00")
    (data (i32.const 1200) "hello")
    (data (i32.const 1210) "\f0\9f\9a\80")
    (func (export "get-strings") (result i32) (i32.const 1080))
    ;; result<u32, string>: discriminant @0, payload @4: err("bad").
    (data (i32.const 1232) "\01\00\00\00" "\f0\04\00\00" "\03\00\00\00")
    (data (i32.const 1264) "bad")
    (func (export "get-error") (result i32) (i32.const 1232))
    ;; tuple<u8, f64, s16>: u8@0, f64@8, s16@16.
    (data (i32.const 1280) "\09\00\00\00\00\00\00\00" "\00\00\00\00\00\00\f8\3f" "\fe\ff")
    (func (export "get-tuple") (result i32) (i32.const 1280))
    ;; list<s64> of two, and a list<f32> of three (NaN with a payload, -0, 1.5).
    (data (i32.const 1312) "\40\05\00\00" "\02\00\00\00" "\50\05\00\00" "\03\00\00\00")
    (data (i32.const 1344) "\ff\ff\ff\ff\ff\ff\ff\ff" "\00\00\00\00\00\00\00\80")
    (data (i32.const 1360) "\01\00\a0\7f" "\00\00\00\80" "\00\00\c0\3f")
    (func (export "get-s64s") (result i32) (i32.const 1312))
    (func (export "get-f32s") (result i32) (i32.const 1320))

    ;; Flat results: each value as the core function returns it.
    (func (export "nan-payload") (result f32) (f32.reinterpret_i32 (i32.const 0x7fa00001)))
    (func (export "negative-zero") (result f64) (f64.const -0))
    (func (export "bool-two") (result i32) (i32.const 2))
    (func (export "u8-wide") (result i32) (i32.const 0x1ff))
    (func (export "s8-wide") (result i32) (i32.const 0xff))
    (func (export "u16-wide") (result i32) (i32.const 0x12345))
    (func (export "s16-wide") (result i32) (i32.const 0x18000))
    (func (export "char-max") (result i32) (i32.const 0x10ffff))

    ;; What the lowering gave: flat values back as integers, bytes in memory back as a list<u8>.
    (func (export "joined-raw") (param i32 i64) (result i32)
      (i32.store (i32.const 2048) (local.get 0))
      (i64.store (i32.const 2056) (local.get 1))
      (i32.const 2048))
    (func (export "option-string-raw") (param i32 i32 i32) (result i32)
      (i32.store (i32.const 2064) (local.get 0))
      (i32.store (i32.const 2068) (local.get 2))
      (i32.const 2064))
    (func (export "i32-raw") (param i32) (result i32) (local.get 0))
    (func (export "f32-raw") (param f32) (result i32) (i32.reinterpret_f32 (local.get 0)))
    (func (export "flags-raw") (param i32) (result i32) (local.get 0))
    (func (export "string-units") (param i32 i32) (result i32) (local.get 1))
    (func (export "u16s-bytes") (param i32 i32) (result i32)
      (i32.store (i32.const 2080) (local.get 0))
      (i32.store (i32.const 2084) (i32.shl (local.get 1) (i32.const 1)))
      (i32.const 2080))
    (func (export "records-bytes") (param i32 i32) (result i32)
      (i32.store (i32.const 2088) (local.get 0))
      (i32.store (i32.const 2092) (i32.mul (local.get 1) (i32.const 24)))
      (i32.const 2088))
    ;; Seventeen u8 parameters do not fit in 16 flat values: they come as a pointer to a tuple (17 bytes).
    (func (export "seventeen-bytes") (param i32) (result i32)
      (i32.store (i32.const 2096) (local.get 0))
      (i32.store (i32.const 2100) (i32.const 17))
      (i32.const 2096))
  )
  (core instance $i (instantiate $m))
  (alias core export $i "memory" (core memory $mem))
  (alias core export $i "cabi_realloc" (core func $realloc))

  (type $record' (record (field "a" u8) (field "b" u64) (field "c" u16) (field "d" char)))
  (import "record" (type $record (eq $record')))
  (type $wide-enum' (enum
      "e0" "e1" "e2" "e3" "e4" "e5" "e6" "e7" "e8" "e9" "e10" "e11" "e12" "e13" "e14" "e15"
      "e16" "e17" "e18" "e19" "e20" "e21" "e22" "e23" "e24" "e25" "e26" "e27" "e28" "e29" "e30" "e31"
      "e32" "e33" "e34" "e35" "e36" "e37" "e38" "e39" "e40" "e41" "e42" "e43" "e44" "e45" "e46" "e47"
      "e48" "e49" "e50" "e51" "e52" "e53" "e54" "e55" "e56" "e57" "e58" "e59" "e60" "e61" "e62" "e63"
      "e64" "e65" "e66" "e67" "e68" "e69" "e70" "e71" "e72" "e73" "e74" "e75" "e76" "e77" "e78" "e79"
      "e80" "e81" "e82" "e83" "e84" "e85" "e86" "e87" "e88" "e89" "e90" "e91" "e92" "e93" "e94" "e95"
      "e96" "e97" "e98" "e99" "e100" "e101" "e102" "e103" "e104" "e105" "e106" "e107" "e108" "e109" "e110" "e111"
      "e112" "e113" "e114" "e115" "e116" "e117" "e118" "e119" "e120" "e121" "e122" "e123" "e124" "e125" "e126" "e127"
      "e128" "e129" "e130" "e131" "e132" "e133" "e134" "e135" "e136" "e137" "e138" "e139" "e140" "e141" "e142" "e143"
      "e144" "e145" "e146" "e147" "e148" "e149" "e150" "e151" "e152" "e153" "e154" "e155" "e156" "e157" "e158" "e159"
      "e160" "e161" "e162" "e163" "e164" "e165" "e166" "e167" "e168" "e169" "e170" "e171" "e172" "e173" "e174" "e175"
      "e176" "e177" "e178" "e179" "e180" "e181" "e182" "e183" "e184" "e185" "e186" "e187" "e188" "e189" "e190" "e191"
      "e192" "e193" "e194" "e195" "e196" "e197" "e198" "e199" "e200" "e201" "e202" "e203" "e204" "e205" "e206" "e207"
      "e208" "e209" "e210" "e211" "e212" "e213" "e214" "e215" "e216" "e217" "e218" "e219" "e220" "e221" "e222" "e223"
      "e224" "e225" "e226" "e227" "e228" "e229" "e230" "e231" "e232" "e233" "e234" "e235" "e236" "e237" "e238" "e239"
      "e240" "e241" "e242" "e243" "e244" "e245" "e246" "e247" "e248" "e249" "e250" "e251" "e252" "e253" "e254" "e255"
      "e256"))
  (import "wide-enum" (type $wide-enum (eq $wide-enum')))
  (type $with-enum' (record (field "x" u8) (field "e" $wide-enum) (field "y" u8)))
  (import "with-enum" (type $with-enum (eq $with-enum')))
  (type $flags17' (flags "flag0" "flag1" "flag2" "flag3" "flag4" "flag5" "flag6" "flag7" "flag8" "flag9" "flag10" "flag11" "flag12" "flag13" "flag14" "flag15" "flag16"))
  (import "flags17" (type $flags17 (eq $flags17')))
  (type $with-flags' (record (field "f" $flags17) (field "z" u8)))
  (import "with-flags" (type $with-flags (eq $with-flags')))
  (type $joined' (variant (case "a" f32) (case "b" u64) (case "c" u8) (case "d")))
  (import "joined" (type $joined (eq $joined')))

  (func (export "get-record") (result $record) (canon lift (core func $i "get-record") (memory $mem)))
  (func (export "get-some-none") (result (option (option u8))) (canon lift (core func $i "get-some-none") (memory $mem)))
  (func (export "get-some-some") (result (option (option u8))) (canon lift (core func $i "get-some-some") (memory $mem)))
  (func (export "get-wide-enum") (result $with-enum) (canon lift (core func $i "get-wide-enum") (memory $mem)))
  (func (export "get-flags") (result $with-flags) (canon lift (core func $i "get-flags") (memory $mem)))
  (func (export "get-strings") (result (list string)) (canon lift (core func $i "get-strings") (memory $mem)))
  (func (export "get-error") (result (result u32 (error string))) (canon lift (core func $i "get-error") (memory $mem)))
  (func (export "get-tuple") (result (tuple u8 f64 s16)) (canon lift (core func $i "get-tuple") (memory $mem)))
  (func (export "get-s64s") (result (list s64)) (canon lift (core func $i "get-s64s") (memory $mem)))
  (func (export "get-f32s") (result (list f32)) (canon lift (core func $i "get-f32s") (memory $mem)))

  (func (export "nan-payload") (result f32) (canon lift (core func $i "nan-payload")))
  (func (export "negative-zero") (result f64) (canon lift (core func $i "negative-zero")))
  (func (export "bool-two") (result bool) (canon lift (core func $i "bool-two")))
  (func (export "u8-wide") (result u8) (canon lift (core func $i "u8-wide")))
  (func (export "s8-wide") (result s8) (canon lift (core func $i "s8-wide")))
  (func (export "u16-wide") (result u16) (canon lift (core func $i "u16-wide")))
  (func (export "s16-wide") (result s16) (canon lift (core func $i "s16-wide")))
  (func (export "char-max") (result char) (canon lift (core func $i "char-max")))

  (func (export "joined-raw") (param "v" $joined) (result (tuple u32 u64))
    (canon lift (core func $i "joined-raw") (memory $mem)))
  (func (export "option-string-raw") (param "o" (option string)) (result (tuple u32 u32))
    (canon lift (core func $i "option-string-raw") (memory $mem) (realloc $realloc)))
  (func (export "s8-raw") (param "x" s8) (result u32) (canon lift (core func $i "i32-raw")))
  (func (export "s16-raw") (param "x" s16) (result u32) (canon lift (core func $i "i32-raw")))
  (func (export "bool-raw") (param "x" bool) (result u32) (canon lift (core func $i "i32-raw")))
  (func (export "char-raw") (param "x" char) (result u32) (canon lift (core func $i "i32-raw")))
  (func (export "enum-raw") (param "x" $wide-enum) (result u32) (canon lift (core func $i "i32-raw")))
  (func (export "f32-raw") (param "x" f32) (result u32) (canon lift (core func $i "f32-raw")))
  (func (export "flags-raw") (param "x" $flags17) (result u32) (canon lift (core func $i "flags-raw")))
  (func (export "string-units") (param "s" string) (result u32)
    (canon lift (core func $i "string-units") (memory $mem) (realloc $realloc)))
  (func (export "u16s-bytes") (param "l" (list u16)) (result (list u8))
    (canon lift (core func $i "u16s-bytes") (memory $mem) (realloc $realloc)))
  (func (export "records-bytes") (param "l" (list $record)) (result (list u8))
    (canon lift (core func $i "records-bytes") (memory $mem) (realloc $realloc)))
  (func (export "seventeen-bytes")
    (param "p0" u8) (param "p1" u8) (param "p2" u8) (param "p3" u8) (param "p4" u8) (param "p5" u8)
    (param "p6" u8) (param "p7" u8) (param "p8" u8) (param "p9" u8) (param "p10" u8) (param "p11" u8)
    (param "p12" u8) (param "p13" u8) (param "p14" u8) (param "p15" u8) (param "p16" u8)
    (result (list u8))
    (canon lift (core func $i "seventeen-bytes") (memory $mem) (realloc $realloc)))
)
