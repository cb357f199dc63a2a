/**
 * Attack (redteam16): an export returns a result that grows when rendered as JSON (control
 * characters, six characters each as `\u0001`; many small values). `keel run --invoke --json`
 * (and `--invoke` without it, for a value that is not a string) rendered it with one
 * JSON.stringify: 64 MiB of control characters was a 384 MB line in the CLI's heap, and past
 * V8's longest string a RangeError out of the CLI. The result is written in pieces now, the same
 * characters: the CLI holds one piece at a time.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { JSON_PIECE, printJson, stdout, writeJson } from '../../../host/cli/output.js';

afterEach(() => vi.restoreAllMocks());

it('a result of 4 Mi control characters is written in pieces, never as one 24 MB string', () => {
  const value = { ok: true, value: '\u0001'.repeat(4 << 20), fuel: { used: 1, remaining: 2 } };
  const writes: string[] = [];
  vi.spyOn(stdout, 'write').mockImplementation((data) => {
    writes.push(String(data));
    return true;
  });
  printJson(value);
  const longest = Math.max(...writes.map((w) => w.length));
  // Before: one write of 25,165,870 characters.
  expect(longest).toBeLessThanOrEqual(8 * JSON_PIECE);
  expect(writes.length).toBeGreaterThan(40);
  expect(writes.join('').replace(/^\n/, '')).toBe(`${JSON.stringify(value)}\n`);
});

it('writes exactly what JSON.stringify writes', () => {
  const astral = `${'a'.repeat(JSON_PIECE - 1)}\u{1F600}${'b'.repeat(10)}`;
  const values: unknown[] = [
    { ok: true, value: [1, 'two', null, undefined, () => 0, Symbol('s'), [], {}], fuel: null },
    { a: undefined, b: () => 0, c: Symbol('c'), d: { toJSON: () => undefined }, e: 1 },
    { when: new Date(0), n: [Number.NaN, Number.POSITIVE_INFINITY, -0, 1.5e300], t: true },
    [astral, `\u{1F600}`.repeat(JSON_PIECE), '\uD800'.repeat(JSON_PIECE + 3), 'x'.repeat(3 * JSON_PIECE)],
    { bytes: new Uint8Array([1, 2, 3]), boxed: [new Number(1), new String('s'), new Boolean(false)] },
    Array.from({ length: 50_000 }, (_, i) => ({ k: i, s: '\n' })),
    'plain',
    7,
    null,
  ];
  for (const value of values) {
    let out = '';
    writeJson(value, (text) => {
      out += text;
    });
    expect(out).toBe(JSON.stringify(value));
  }
});
