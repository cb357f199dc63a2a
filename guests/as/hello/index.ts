/**
 * Keel's hello guest in AssemblyScript. Each export implements the function of the same name
 * in world.wit; the SDK's generated bindings do the canonical-ABI work.
 */
import { info, Level, log } from 'keel';

export function greet(name: string): string {
  info(`greeted ${name}`);
  return `Hello, ${name}!`;
}

export function sum(values: Array<i32>): i64 {
  let total: i64 = 0;
  for (let i = 0; i < values.length; i++) total += <i64>values[i];
  return total;
}

/** Unicode white space in the Basic Latin and Latin-1 blocks, plus the ideographic space. */
function isSpace(c: i32): bool {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x85 || c === 0xa0 || c === 0x3000;
}

export function words(text: string): Array<string> {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    if (isSpace(text.charCodeAt(i))) {
      if (start >= 0) out.push(text.substring(start, i));
      start = -1;
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) out.push(text.substring(start));
  return out;
}

export function reverse(values: Array<f64>): Array<f64> {
  const out = new Array<f64>(values.length);
  for (let i = 0; i < values.length; i++) out[values.length - 1 - i] = values[i];
  return out;
}

export function shout(level: u8, message: string): void {
  log(<Level>min(level, <u8>Level.Error), message);
}

export function fail(message: string): void {
  throw new Error(message);
}
