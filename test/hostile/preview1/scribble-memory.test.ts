/**
 * Attack: overwrite the guest's whole linear memory between two preview1 calls (a guest
 * allocator reusing memory a runtime thought it owned). Keel's preview1 keeps every piece of its
 * state in the host: the second write works as the first. jco's adapter, which keeps its state in
 * the guest's memory, is shown failing the same guest (the reason Keel no longer runs it).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { SHARED_CACHE } from '../../caps/harness.js';
import { wat } from '../../helpers/wat.js';

let bytes: Uint8Array;
const kernels: Kernel[] = [];
beforeAll(async () => {
  const source = new URL('../../../guests/wat/hostile/preview1/scribble-memory.wat', import.meta.url);
  bytes = await wat(readFileSync(source, 'utf8'));
});
afterAll(() => Promise.all(kernels.map((k) => k.close())));

async function run(preview1: 'keel' | 'adapter') {
  const kernel = new Kernel({ cacheDir: SHARED_CACHE, preview1 });
  kernels.push(kernel);
  let out = '';
  const module = await kernel.load(bytes, { name: 'scribble' });
  const sandbox = await kernel.spawn(module, {
    grants: ['wasi:cli/stdin', 'wasi:cli/stdout', 'wasi:cli/stderr', 'wasi:cli/exit'],
    io: { stdout: (c) => (out += new TextDecoder().decode(c)) },
  });
  const outcome = await sandbox.invoke('wasi:cli/run#run').then(
    (o) => ({ ok: true as const, exit: o.exit }),
    (e: { code: string }) => ({ ok: false as const, code: e.code }),
  );
  return { out, outcome };
}

it('keeps working after the guest overwrote all of its memory: no preview1 state lives there', async () => {
  const heap = process.memoryUsage().heapUsed;
  const { out, outcome } = await run('keel');
  expect(outcome).toEqual({ ok: true, exit: undefined });
  expect(out).toBe('A\nB\n');
  expect(process.memoryUsage().heapUsed - heap).toBeLessThan(64 * 1024 * 1024);
});

it('(jco’s adapter, kept only for comparison, does not survive it)', async () => {
  const { out, outcome } = await run('adapter');
  expect(out).toBe('A\n');
  expect(outcome.ok).toBe(false);
});
