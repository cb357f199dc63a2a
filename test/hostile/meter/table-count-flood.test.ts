/**
 * Attack: many tables. `tableElements` bounds each table, not their number: a 4 KB core module
 * of 1,000 `(table 10000 funcref)` cost the host 306 MB of RSS and 1.2 s per spawn (about 30
 * bytes an element), so a few spawns exhausted the process; a component instantiating a
 * one-table module many times did the same. The sandbox's number of tables is a limit
 * (`limits.tables`, default 100), checked from the plan before anything is instantiated.
 */
import { expect, it } from 'vitest';
import { cliHint } from '../../../host/cli/grants.js';
import { isKeelError, type KeelEvent, Kernel } from '../../../host/index.js';
import { wat } from '../../../scripts/lib/wat.js';
import { componentText } from '../abi/support.js';

function manyTables(n: number): Promise<Uint8Array> {
  let text = '(module ';
  for (let i = 0; i < n; i++) text += '(table 10000 funcref) ';
  return wat(`${text}(func (export "f") (result i32) i32.const 1))`, 'tables.wat');
}

function manyInstances(n: number): Promise<Uint8Array> {
  let text = '(component (core module $m (table 10000 funcref))\n';
  for (let i = 0; i < n; i++) text += '(core instance (instantiate $m))\n';
  return componentText(`${text})`);
}

const NEIGHBOUR =
  '(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))';

async function refused(
  kernel: Kernel,
  module: Parameters<Kernel['spawn']>[0],
  limits = {},
): Promise<unknown> {
  return kernel.spawn(module, { limits }).then(
    () => undefined,
    (e: unknown) => e,
  );
}

for (const placement of ['inline', 'worker'] as const) {
  it(`table count flood (${placement}): 1,000 tables in a core module, or 200 instances of one, are refused at spawn; the host and a neighbour are unaffected`, async () => {
    const kernel = new Kernel({ placement });
    const events: KeelEvent[] = [];
    kernel.on('table:limit', (e) => void events.push(e));
    const neighbour = await kernel.spawn(await kernel.load(await wat(NEIGHBOUR, 'n.wat')), {});
    const rss = process.memoryUsage().rss;
    const core = await kernel.load(await manyTables(1000));
    const component = await kernel.load(await manyInstances(200));
    // Timed: the spawns the attack was about (making and loading its modules is not, and took
    // seconds on a loaded machine).
    const started = performance.now();
    for (let i = 0; i < 10; i++) {
      const error = await refused(kernel, core);
      expect(isKeelError(error) && error.code).toBe('table-limit');
      expect(isKeelError(error) && error.details).toEqual({ limit: 'tables', tables: 1000, max: 100 });
      expect(isKeelError(error) && error.message).toContain('1000 tables');
      // The CLI's advice names what sets the limit (no flag does).
      if (i === 0 && isKeelError(error)) {
        expect(cliHint(error, 'run')).toContain('no flag raises limits.tables');
        expect(cliHint(error, 'up')).toContain("raise the sandbox's limits.tables in the plan");
      }
      const again = await refused(kernel, component);
      expect(isKeelError(again) && again.details).toEqual({ limit: 'tables', tables: 200, max: 100 });
    }
    // Before the limit: 10 spawns of the core module alone held about 3 GB.
    expect(performance.now() - started).toBeLessThan(5000);
    expect(process.memoryUsage().rss - rss).toBeLessThan(200 * 1024 * 1024);
    expect(events[0]?.data).toEqual({ at: 'spawn', limit: 'tables', tables: 1000, max: 100 });
    expect(await neighbour.call('add', 2, 3)).toBe(5);
    await kernel.close();
  });
}

it('table count flood: the limit is set by the embedder, per kernel and per spawn; 100 tables spawn by default', async () => {
  const kernel = new Kernel({ limits: { tables: 200 } });
  const sandbox = await kernel.spawn(await kernel.load(await manyInstances(200)), {});
  sandbox.terminate('done');
  const error = await refused(kernel, await kernel.load(await manyInstances(200)), { tables: 199 });
  expect(isKeelError(error) && error.details).toEqual({ limit: 'tables', tables: 200, max: 199 });
  await kernel.close();
  const defaults = new Kernel({});
  const hundred = await defaults.spawn(await defaults.load(await manyInstances(100)), {});
  hundred.terminate('done');
  await defaults.close();
});
