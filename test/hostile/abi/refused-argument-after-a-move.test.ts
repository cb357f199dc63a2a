/**
 * Attack (on the host's resources, by a caller's mistake or a hostile value): an export call
 * whose first argument moves a guest resource into the guest (`own`) and whose second argument
 * is refused (`take(c, 300)` with a `u8`). The first argument had already been lowered: the host's
 * resource was spent and an own handle sat in the guest's table, counted against the handle
 * limit, with nobody to drop it, although the call was refused before the guest ran. Now a
 * refused argument takes back every handle the earlier ones added: the resource stays the
 * host's, and refusals never fill the table.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kernel, type Sandbox } from '../../../host/index.js';
import { componentFromWat } from '../../helpers/components.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../abi/fixtures/${name}`, import.meta.url), 'utf8');
const IFACE = 'test:res/counters';
const HANDLES = 8;

let kernel: Kernel;
let sandbox: Sandbox;

beforeAll(async () => {
  kernel = new Kernel({ cacheDir: false });
  // The counters fixture with one more function: an own first, a u8 second.
  const wat = fixture('counters.wat').replace(
    /\)\s*$/,
    `(func (export "test:res/counters#take") (param $c i32) (param $n i32) (result i32) (local.get $n)))`,
  );
  const wit = fixture('counters.wit').replace(
    'total: func(c: borrow<counter>) -> u32;',
    'total: func(c: borrow<counter>) -> u32;\n  take: func(c: counter, n: u8) -> u32;',
  );
  const module = await kernel.load(await componentFromWat(wat, wit, 'res'));
  sandbox = await kernel.spawn(module, { limits: { handles: HANDLES } });
});
afterAll(() => kernel.close());

const make = (n: number) => sandbox.fn(`${IFACE}#[constructor]counter`)(n);
const total = (c: unknown) => sandbox.fn(`${IFACE}#total`)(c);

it("refused-argument-after-a-move: the moved resource stays the host's (fn)", () => {
  const c = make(5);
  expect(() => sandbox.fn(`${IFACE}#take`)(c, 300)).toThrow(
    expect.objectContaining({ code: 'invalid-argument', message: expect.stringMatching(/300 is not a u8/) }),
  );
  expect(sandbox.state).not.toBe('poisoned');
  expect(total(c)).toBe(5);
  expect(sandbox.fn(`${IFACE}#take`)(c, 7)).toBe(7);
  expect(() => total(c)).toThrow(/dropped or moved/);
});

it('refused-argument-after-a-move: the same through invoke', () => {
  const c = make(9);
  expect(() => sandbox.invokeSync(`${IFACE}#take`, [c, -1])).toThrow(
    expect.objectContaining({ code: 'invalid-argument' }),
  );
  expect(total(c)).toBe(9);
});

it('refused-argument-after-a-move: refusals never fill the handle table', () => {
  const c = make(1);
  for (let i = 0; i < HANDLES * 4; i++) expect(() => sandbox.fn(`${IFACE}#take`)(c, 256)).toThrow(/not a u8/);
  expect(total(c)).toBe(1);
  const more = Array.from({ length: 3 }, (_, i) => make(i));
  expect(more.map(total)).toEqual([0, 1, 2]);
});
