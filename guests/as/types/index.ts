/**
 * A guest that exercises every WIT type the AssemblyScript SDK binds (see world.wit). World
 * functions are exported under their camelCase names; an exported interface's functions live
 * in a namespace named after the interface.
 */

export namespace text {
  export function upper(s: string): string {
    return s.toUpperCase();
  }

  export function charCount(s: string): u32 {
    let count: u32 = 0;
    for (let i = 0; i < s.length; i++) {
      const unit = s.charCodeAt(i);
      // A high surrogate followed by a low one is one scalar value.
      if (unit >= 0xd800 && unit < 0xdc00 && i + 1 < s.length) {
        const next = s.charCodeAt(i + 1);
        if (next >= 0xdc00 && next < 0xe000) i++;
      }
      count++;
    }
    return count;
  }
}

export namespace numbers {
  export function addU8(a: u8, b: u8): u8 {
    return a + b;
  }

  export function negateS8(a: i8): i8 {
    return -a;
  }

  export function addU16(a: u16, b: u16): u16 {
    return a + b;
  }

  export function negateS16(a: i16): i16 {
    return -a;
  }

  export function addU32(a: u32, b: u32): u32 {
    return a + b;
  }

  export function mulS64(a: i64, b: i64): i64 {
    return a * b;
  }

  export function maxU64(): u64 {
    return u64.MAX_VALUE;
  }

  export function halfF32(a: f32): f32 {
    return a / 2;
  }

  export function sqrtF64(a: f64): f64 {
    return Math.sqrt(a);
  }

  export function invert(b: bool): bool {
    return !b;
  }
}

export function xorBytes(data: Uint8Array, key: u8): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] ^ key;
  return out;
}

export function countTrue(values: Array<bool>): u32 {
  let count: u32 = 0;
  for (let i = 0; i < values.length; i++) if (values[i]) count++;
  return count;
}

export function negateAll(values: Array<bool>): Array<bool> {
  const out = new Array<bool>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = !values[i];
  return out;
}

export function join(parts: Array<string>, separator: string): string {
  return parts.join(separator);
}

export function widen(values: Array<u32>): Array<u64> {
  const out = new Array<u64>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = <u64>values[i] * 0x1_0000_0000;
  return out;
}

export function echoStrings(values: Array<string>): Array<string> {
  return values;
}

export function sixteen(
  a: i32,
  b: i32,
  c: i32,
  d: i32,
  e: i32,
  f: i32,
  g: i32,
  h: i32,
  i: i32,
  j: i32,
  k: i32,
  l: i32,
  m: i32,
  n: i32,
  o: i32,
  p: i32,
): i64 {
  return (
    <i64>a +
    <i64>b * 2 +
    <i64>c * 3 +
    <i64>d * 4 +
    <i64>e * 5 +
    <i64>f * 6 +
    <i64>g * 7 +
    <i64>h * 8 +
    <i64>i * 9 +
    <i64>j * 10 +
    <i64>k * 11 +
    <i64>l * 12 +
    <i64>m * 13 +
    <i64>n * 14 +
    <i64>o * 15 +
    <i64>p * 16
  );
}

export function nothing(): void {}
