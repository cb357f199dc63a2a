/**
 * Attack: exhaust the process's address space for wasm memories. V8 reserves address space
 * (guard regions) for every linear memory, even an empty one, and a process holds only about
 * 12,900 of them on the project's machines; past that, every spawn in the process fails with
 * V8's `RangeError` until collection frees some. That failure is the host's capacity, reached
 * by the sandboxes together: `memory-limit` with `details.limit: 'host'` and a message that
 * says what to do, never `internal` (a bug in Keel). The integration test fills the address
 * space of a child process (bounded at about 20 s), so this test's process is left alone.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cliHint } from '../../../host/cli/grants.js';
import { classifyFailure } from '../../../host/kernel/traps.js';

const V8_INSTANCE_OOM = 'WebAssembly.Instance(): Out of memory: Cannot allocate Wasm memory for new instance';
const V8_MEMORY_OOM = 'WebAssembly.Memory(): could not allocate memory';

it("host memory exhausted: V8's refusal to reserve a wasm memory is memory-limit (limit: host), not internal", () => {
  for (const message of [V8_INSTANCE_OOM, V8_MEMORY_OOM]) {
    const error = classifyFailure(new RangeError(message), 'instantiation');
    expect(error.code).toBe('memory-limit');
    expect(error.details).toMatchObject({ limit: 'host', reason: message });
    expect(error.message).toContain("could not reserve memory for another sandbox's linear memory");
    expect(error.message).toContain('end sandboxes that are no longer needed');
    expect(error.message).toContain('fewer memories per sandbox');
    // No flag raises the host's capacity: the CLI does not tell the user to raise --memory.
    expect(cliHint(error, 'run')).not.toContain('--memory');
  }
  // Other range errors keep their classification.
  expect(classifyFailure(new RangeError('Maximum call stack size exceeded'), 'f').code).toBe(
    'stack-overflow',
  );
  expect(classifyFailure(new RangeError('something else'), 'f').code).toBe('internal');
});

const CHILD = `
import { Kernel } from ${JSON.stringify(new URL('../../../dist/host/index.js', import.meta.url).href)};
const wat = (await import(${JSON.stringify(new URL('../../../dist/scripts/lib/wat.js', import.meta.url).href)})).wat;
const bytes = await wat('(module (memory (export "memory") 1) (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))', 'm.wat');
const kernel = new Kernel({});
const module = await kernel.load(bytes);
let list = [];
let failure;
const started = Date.now();
while (Date.now() - started < 15000 && list.length < 100000) {
  try { list.push(await kernel.spawn(module, {})); }
  catch (e) { failure = { code: e.code, details: e.details, message: e.message }; break; }
}
const spawned = list.length;
for (const s of list) s.terminate('done');
list = [];
for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
let after;
try { const s = await kernel.spawn(module, {}); after = await s.call('add', 2, 3); } catch (e) { after = { code: e.code, message: e.message }; }
console.log(JSON.stringify({ spawned, failure, after }));
await kernel.close();
`;

it('host memory exhausted: spawns past the address space fail memory-limit (host); ended and collected, a spawn works again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-host-oom-'));
  const script = join(dir, 'child.mjs');
  writeFileSync(script, CHILD);
  const out = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', script],
      { timeout: 25_000, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as {
    spawned: number;
    failure?: { code: string; details: { limit?: string }; message: string };
    after: unknown;
  };
  expect(result.failure, `no failure after ${result.spawned} spawns`).toBeDefined();
  expect(result.failure!.code).toBe('memory-limit');
  expect(result.failure!.details.limit).toBe('host');
  expect(result.failure!.message).toContain('end sandboxes that are no longer needed');
  expect(result.after).toBe(5);
}, 30_000);
