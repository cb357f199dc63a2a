/**
 * Attack (review16 L3): a string an adapter carries between two components whose text does not
 * match the code units its source reported, so that the callee's reservation is the wrong size
 * (an astral character where the units counted fewer bytes, a lone surrogate, which becomes
 * U+FFFD's three bytes). `storeCopy` encoded a UTF-8 string with `encodeInto` and did not look at
 * its result: a string that did not fit was handed over short, the callee's own bytes past it as
 * its text, and a UTF-16 or Latin-1 one longer than its units was written past the reservation.
 * Each is an `internal` error now, as the other lowerings' short writes are, and nothing is
 * handed over.
 */
import { expect, it } from 'vitest';
import type { StringEncoding } from '../../../host/abi/ast.js';
import { Carried } from '../../../host/abi/context.js';
import { lowerString } from '../../../host/abi/strings.js';
import { testCx } from '../../helpers/cx.js';

/** A callee of `encoding` with a bump allocator, lowering a string its source (`from`, `units`) carried. */
function callee(encoding: StringEncoding, from: StringEncoding, units: number) {
  const cx = testCx({ encoding, handles: 10 });
  const source = new Carried().begin(from);
  source.units.push(units);
  cx.source = source.rewind();
  return cx;
}

const cases: [string, StringEncoding, StringEncoding, string, number][] = [
  ['an astral character past a one-byte estimate', 'utf8', 'utf8', '\u{1F600}', 1],
  ['an ASCII letter then an astral character', 'utf8', 'utf8', 'a\u{1F600}', 3],
  ['a lone surrogate (U+FFFD, three bytes) counted as one', 'utf8', 'utf8', '\uD800', 1],
  ['an astral character counted as two bytes', 'utf8', 'utf8', '\u{10000}', 2],
  ['UTF-16 longer than its units', 'utf16', 'utf16', 'abcd', 2],
  ['UTF-16 shorter than its units', 'utf16', 'utf16', 'ab', 4],
  ['Latin-1 longer than its units', 'latin1+utf16', 'latin1+utf16', 'abcd', 2],
  ['UTF-16 into UTF-8, longer than its units', 'utf8', 'utf16', 'abcdef', 2],
];

for (const [what, encoding, from, text, units] of cases) {
  it(`refuses ${what} (${from} into ${encoding}): nothing handed over short or written past`, () => {
    const cx = callee(encoding, from, units);
    const out = { units: -1 };
    const before = cx.opts.mem.u8.slice(0, 64);
    expect(() => lowerString(cx, text, out)).toThrow(expect.objectContaining({ code: 'internal' }));
    expect(out.units).toBe(-1);
    // Nothing was written past the reservation (which starts at 16): the first 16 + units bytes at most.
    const after = cx.opts.mem.u8.slice(0, 64);
    const reserved = 16 + units * (encoding === 'utf16' ? 2 : 1);
    expect(after.subarray(reserved)).toEqual(before.subarray(reserved));
  });
}

it('a string that matches its units is stored whole', () => {
  for (const [text, units, stored] of [
    ['\u{1F600}', 4, '\u{1F600}'],
    ['a\u{1F600}', 5, 'a\u{1F600}'],
    ['\uD800', 3, '\uFFFD'],
    ['h\u00e9', 3, 'h\u00e9'],
  ] as const) {
    const cx = callee('utf8', 'utf8', units);
    const out = { units: -1 };
    const ptr = lowerString(cx, text, out);
    expect(out.units).toBe(units);
    expect(Buffer.from(cx.opts.mem.u8.subarray(ptr, ptr + units)).toString('utf8')).toBe(stored);
  }
});
