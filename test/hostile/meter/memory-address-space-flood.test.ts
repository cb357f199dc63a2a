/**
 * Attack: exhaust the host's address space for wasm memories. V8 reserves address space for
 * every linear memory, even an empty one, and a process holds about 12,900; a component of
 * 1,000 instances of `(module (memory 1))` used it all up in 12 spawns, and then every other
 * sandbox's spawn failed. The sandbox's number of memories is a limit (`limits.memories`,
 * default 16), checked from the plan before anything is instantiated.
 */
import { expect, it } from 'vitest';
import { isKeelError, type KeelEvent, Kernel } from '../../../host/index.js';
import { wat } from '../../../scripts/lib/wat.js';
import { componentText } from '../abi/support.js';

function flood(n: number, pages: number): Promise<Uint8Array> {
  let text = `(component (core module $m (memory ${pages}))\n`;
  for (let i = 0; i < n; i++) text += '(core instance (instantiate $m))\n';
  return componentText(`${text})`);
}

const NEIGHBOUR =
  '(module (memory (export "memory") 1) (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))';

it('memory address space flood: 1,000 memories in one component are refused at spawn; the host and a neighbour are unaffected', async () => {
  const kernel = new Kernel({});
  const events: KeelEvent[] = [];
  kernel.on('memory:limit', (e) => void events.push(e));
  const neighbour = await kernel.spawn(await kernel.load(await wat(NEIGHBOUR, 'n.wat')), {});
  for (const pages of [0, 1]) {
    const module = await kernel.load(await flood(1000, pages));
    const started = performance.now();
    // Twenty spawns: more than the 13 that used to exhaust the process.
    for (let i = 0; i < 20; i++) {
      const error = await kernel.spawn(module, {}).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isKeelError(error) && error.code).toBe('memory-limit');
      expect(isKeelError(error) && error.details).toEqual({ limit: 'memories', memories: 1000, max: 16 });
      expect(isKeelError(error) && error.message).toContain('1000 linear memories');
    }
    expect(performance.now() - started).toBeLessThan(2000);
  }
  expect(events[0]?.data).toEqual({ at: 'spawn', limit: 'memories', memories: 1000, max: 16 });
  expect(await neighbour.call('add', 2, 3)).toBe(5);
  const another = await kernel.spawn(await kernel.load(await wat(NEIGHBOUR, 'n.wat')), {});
  expect(await another.call('add', 4, 5)).toBe(9);
  await kernel.close();
});

it('memory address space flood: the limit is set by the embedder, per kernel and per spawn', async () => {
  const kernel = new Kernel({ limits: { memories: 1000 } });
  const module = await kernel.load(await flood(1000, 0));
  const sandbox = await kernel.spawn(module, {});
  sandbox.terminate('done');
  const error = await kernel.spawn(module, { limits: { memories: 999 } }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isKeelError(error) && error.details).toEqual({ limit: 'memories', memories: 1000, max: 999 });
  await kernel.close();
});
