/**
 * Attack: a component defines a resource whose destructor never returns (an endless loop), and
 * the embedder drops one it holds (`[Symbol.dispose]()`). The destructor is guest code, but the
 * drop ran it directly: outside the sandbox's gate (no deadline: the kernel's thread held until
 * the invocation's fuel ran out, 10^10 by default), with the sandbox still `ready` after its fuel
 * was spent; and after the sandbox ended, the dead guest's destructor still ran. Now a drop
 * outside a call runs the destructor as a call (deadline, fuel; its failure ends the sandbox),
 * and a drop after the sandbox ended runs no guest code.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKeelError, Kernel, type ModuleHandle } from '../../../host/index.js';
import { componentFromWat } from '../../helpers/components.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../abi/fixtures/${name}`, import.meta.url), 'utf8');
const IFACE = 'test:res/counters';
const counters = fixture('counters.wat');
/** The counters fixture with a destructor that counts, then loops forever. */
const ENDLESS = counters.replace(
  '(global.set $drops (i32.add (global.get $drops) (i32.const 1))))',
  '(global.set $drops (i32.add (global.get $drops) (i32.const 1))) (loop (br 0)))',
);

describe('destructor-outside-the-gate', () => {
  const kernel = new Kernel({ cacheDir: false });
  let endless: ModuleHandle;
  let counting: ModuleHandle;
  beforeAll(async () => {
    expect(ENDLESS).not.toBe(counters);
    endless = await kernel.load(await componentFromWat(ENDLESS, fixture('counters.wit'), 'res'));
    counting = await kernel.load(await componentFromWat(counters, fixture('counters.wit'), 'res'));
  });
  afterAll(() => kernel.close());

  it('an endless destructor is stopped by the deadline and ends its sandbox', async () => {
    // Fuel enough for minutes: only the deadline can stop it in time.
    const sandbox = await kernel.spawn(endless, { limits: { deadlineMs: 200, fuel: 10_000_000_000 } });
    const held = sandbox.fn(`${IFACE}#[constructor]counter`)(5);
    const started = performance.now();
    let error: unknown;
    try {
      held[Symbol.dispose]();
    } catch (e) {
      error = e;
    }
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(isKeelError(error) && error.code).toBe('timeout');
    expect(sandbox.state).not.toBe('ready');
  });

  it('a destructor that runs out of fuel ends its sandbox as fuel-exhausted', async () => {
    const sandbox = await kernel.spawn(endless, { limits: { fuel: 5_000_000 } });
    const held = sandbox.fn(`${IFACE}#[constructor]counter`)(5);
    expect(() => held[Symbol.dispose]()).toThrow(expect.objectContaining({ code: 'fuel-exhausted' }));
    expect(sandbox.state).not.toBe('ready');
  });

  it('a drop after the sandbox ended runs no guest code', async () => {
    const sandbox = await kernel.spawn(endless, { limits: { fuel: 10_000_000_000 } });
    const held = sandbox.fn(`${IFACE}#[constructor]counter`)(5);
    sandbox.terminate('done');
    const started = performance.now();
    held[Symbol.dispose]();
    held[Symbol.dispose]();
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('a well-behaved destructor still runs once, from a drop outside a call and through [resource-drop]', async () => {
    const sandbox = await kernel.spawn(counting);
    const make = sandbox.fn(`${IFACE}#[constructor]counter`);
    const drops = sandbox.fn('drops');
    const a = make(1);
    a[Symbol.dispose]();
    a[Symbol.dispose]();
    expect(drops()).toBe(1);
    // JSON callers name it by handle; the drop runs inside that invocation, under its gate.
    const { value } = sandbox.invokeSync(`${IFACE}#[constructor]counter`, [2]);
    expect(value).toMatchObject({ resource: 'counter' });
    sandbox.invokeSync(`${IFACE}#[resource-drop]counter`, [value]);
    expect(drops()).toBe(2);
    expect(sandbox.state).toBe('ready');
  });
});
