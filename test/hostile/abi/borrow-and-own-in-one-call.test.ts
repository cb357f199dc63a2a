/**
 * Attack (by the caller, on the guest's borrow contract): one guest resource the host holds
 * passed to one export call both as a borrow and as an own (`merge(a: borrow<counter>, b:
 * counter)` with `a` and `b` the same counter). The canonical ABI traps when an own handle that
 * is lent out is lifted; before the fix Keel moved it into the guest all the same, so the guest
 * could drop it (its destructor ran: `drops` went to 1) while the borrow it was handed in the
 * same call still named it. Now the call is invalid-argument before the guest runs, the
 * resource stays the host's and the sandbox carries on.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kernel, type Sandbox } from '../../../host/index.js';
import { componentFromWat } from '../../helpers/components.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../abi/fixtures/${name}`, import.meta.url), 'utf8');
const IFACE = 'test:res/counters';

let kernel: Kernel;
let sandbox: Sandbox;

beforeAll(async () => {
  kernel = new Kernel({ cacheDir: false });
  const module = await kernel.load(
    await componentFromWat(fixture('counters.wat'), fixture('counters.wit'), 'res'),
  );
  sandbox = await kernel.spawn(module);
});
afterAll(() => kernel.close());

const make = (n: number) => sandbox.fn(`${IFACE}#[constructor]counter`)(n);

it('a resource lent as a borrow and given as an own in one call (fn) is invalid-argument', () => {
  const c = make(5);
  expect(() => sandbox.fn(`${IFACE}#[static]counter.merge`)(c, c)).toThrow(
    expect.objectContaining({
      code: 'invalid-argument',
      message: expect.stringMatching(/lent to this call/),
    }),
  );
  expect(sandbox.state).not.toBe('poisoned');
  expect(sandbox.fn('drops')()).toBe(0);
  expect(sandbox.fn(`${IFACE}#[method]counter.add`)(c, 1)).toBe(6);
});

it('the same through invoke', () => {
  const c = make(7);
  expect(() => sandbox.invokeSync(`${IFACE}#[static]counter.merge`, [c, c])).toThrow(
    expect.objectContaining({ code: 'invalid-argument' }),
  );
  expect(sandbox.fn('drops')()).toBe(0);
  expect(sandbox.fn(`${IFACE}#total`)(c)).toBe(7);
});

it('two resources, one lent and one given, still merge; a borrow lent earlier does not count', () => {
  const a = make(2);
  const b = make(3);
  sandbox.fn(`${IFACE}#total`)(b);
  const merged = sandbox.fn(`${IFACE}#[static]counter.merge`)(a, b);
  expect(sandbox.fn(`${IFACE}#total`)(merged)).toBe(5);
  expect(sandbox.fn('drops')()).toBe(1);
});
