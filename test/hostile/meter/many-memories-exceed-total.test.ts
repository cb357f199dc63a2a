/**
 * Attack: hold more linear memory than the sandbox's limit by spreading it over many memories.
 * `memoryBytes` used to bound each memory on its own: a component that instantiates one core
 * module N times got N memories of up to 64 MiB each (40 instances reached 500 MiB of RSS in one
 * spawn's start functions). The limit is the total of every memory the sandbox's instances
 * define, at spawn (initial sizes, per instance) and at every grow; a memory that instances
 * share is counted once, and a grow V8 refuses is never counted.
 */
import { expect, it } from 'vitest';
import { isKeelError, type KeelEvent, Kernel } from '../../../host/index.js';
import { createMeterRuntime, meterModule } from '../../../host/meter/index.js';
import { wat } from '../../../scripts/lib/wat.js';
import { componentText } from '../abi/support.js';

const PAGE = 65536;

/** A component of `n` instances of one module whose start function grows its memory by `grow` pages or traps. */
function growers(n: number, grow: number, initial = 1): Promise<Uint8Array> {
  let text = `(component (core module $m (memory ${initial})
    (func $start (if (i32.eq (memory.grow (i32.const ${grow})) (i32.const -1)) (then unreachable)))
    (start $start))\n`;
  for (let i = 0; i < n; i++) text += '(core instance (instantiate $m))\n';
  return componentText(`${text})`);
}

async function spawnOutcome(kernel: Kernel, bytes: Uint8Array): Promise<string> {
  const module = await kernel.load(bytes);
  try {
    await kernel.spawn(module, {});
    return 'spawned';
  } catch (error) {
    if (isKeelError(error)) return error.code;
    throw error;
  }
}

it('many memories exceed total: N instances growing are refused at the sandbox total, not per memory', async () => {
  const events: KeelEvent[] = [];
  const kernel = new Kernel({ limits: { memoryBytes: 64 * 1024 * 1024 } });
  kernel.on('memory:limit', (e) => void events.push(e));
  // 5 x (1 + 200) = 1,005 pages: within 1,024.
  expect(await spawnOutcome(kernel, await growers(5, 200))).toBe('spawned');
  expect(events).toEqual([]);
  // The sixth instance's grow would make 1,206: refused (-1, so its start traps).
  expect(await spawnOutcome(kernel, await growers(6, 200))).toBe('trap');
  expect(events.map((e) => e.data)).toEqual([{ requestedBytes: 1206 * PAGE, limitBytes: 64 * 1024 * 1024 }]);
  // 16 instances (the most memories a sandbox may have) each growing by 900 pages: the second is refused.
  const before = process.memoryUsage().rss;
  expect(await spawnOutcome(kernel, await growers(16, 900))).toBe('trap');
  expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  await kernel.close();
});

it('many memories exceed total: a worker sandbox is held to the same total', async () => {
  const kernel = new Kernel({ limits: { memoryBytes: 64 * 1024 * 1024 }, placement: 'worker' });
  const events: KeelEvent[] = [];
  kernel.on('memory:limit', (e) => void events.push(e));
  expect(await spawnOutcome(kernel, await growers(5, 200))).toBe('spawned');
  expect(await spawnOutcome(kernel, await growers(6, 200))).toBe('trap');
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(events.map((e) => e.data)).toEqual([{ requestedBytes: 1206 * PAGE, limitBytes: 64 * 1024 * 1024 }]);
  await kernel.close();
});

it('many memories exceed total: their initial sizes together are refused at spawn', async () => {
  const kernel = new Kernel({ limits: { memoryBytes: 64 * 1024 * 1024 } });
  const events: KeelEvent[] = [];
  kernel.on('memory:limit', (e) => void events.push(e));
  const module = await kernel.load(await growers(5, 0, 250)); // 1,250 pages at the start
  const error = await kernel.spawn(module, {}).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isKeelError(error) && error.code).toBe('memory-limit');
  expect(isKeelError(error) && error.details).toMatchObject({
    limit: 'memoryBytes',
    requestedPages: 1250,
    limitPages: 1024,
  });
  expect(events[0]?.data).toMatchObject({ at: 'spawn', requestedPages: 1250 });
  await kernel.close();
});

it('many memories exceed total: a memory shared by instances counts once', async () => {
  // $a defines the memory; $b and $c import it and each grow it by 500: 1,001 pages in all.
  const text = `(component
    (core module $a (memory (export "memory") 1))
    (core module $b (import "a" "memory" (memory 1))
      (func $start (if (i32.eq (memory.grow (i32.const 500)) (i32.const -1)) (then unreachable)))
      (start $start))
    (core instance $a (instantiate $a))
    (core instance (instantiate $b (with "a" (instance $a))))
    (core instance (instantiate $b (with "a" (instance $a)))))`;
  const kernel = new Kernel({ limits: { memoryBytes: 64 * 1024 * 1024 } });
  expect(await spawnOutcome(kernel, await componentText(text))).toBe('spawned');
  await kernel.close();
});

it('many memories exceed total: a grow V8 refuses (past the memory maximum) takes none of the budget', async () => {
  // $small (maximum 2 pages) tries 100-page grows 50 times, then $big grows by 1,000: 1,003 of 1,024.
  const text = `(component
    (core module $small (memory 1 2)
      (func $start (local $i i32)
        (loop $l (drop (memory.grow (i32.const 100)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 50)))))
      (start $start))
    (core module $big (memory 1)
      (func $start (if (i32.eq (memory.grow (i32.const 1000)) (i32.const -1)) (then unreachable)))
      (start $start))
    (core instance (instantiate $small))
    (core instance (instantiate $big)))`;
  const kernel = new Kernel({ limits: { memoryBytes: 64 * 1024 * 1024 } });
  expect(await spawnOutcome(kernel, await componentText(text))).toBe('spawned');
  await kernel.close();
});

it('many memories exceed total: the meter corrects a grow it allowed and V8 refused at the next grow', async () => {
  // No layout (the meter's own API): the memory's size now is read at each grow.
  const bytes = meterModule(
    await wat(
      '(module (memory (export "memory") 1 3) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))',
      'g.wat',
    ),
  );
  const meter = createMeterRuntime({ fuel: 1e12, memoryBytes: 5 * PAGE, tableElements: 10 });
  const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  const a = new WebAssembly.Instance(module, { keel: meter.imports.keel }).exports as Record<string, any>;
  const b = new WebAssembly.Instance(module, { keel: meter.imports.keel }).exports as Record<string, any>;
  expect(a.grow(3)).toBe(-1); // allowed by the meter (4 + 1 of 5), refused by V8 (maximum 3)
  expect(b.grow(1)).toBe(-1); // until a grows again, a counts at the 4 pages it asked for
  expect(a.grow(0)).toBe(1); // a's size is read again: 1 page
  expect(b.grow(1)).toBe(1); // 1 + 2 of 5
  expect(b.grow(1)).toBe(2); // 1 + 3 of 5
  expect(b.grow(2)).toBe(-1); // 1 + 5 = 6: refused
});
