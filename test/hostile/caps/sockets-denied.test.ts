/**
 * Attack: open a network socket. Sockets are never granted: the spawn fails naming the import,
 * or, with lazy denial, the call answers WASI `access-denied` and the guest carries on.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { componentEmbed, componentNew } from '../../../scripts/lib/wasm-tools.js';
import { type World, world } from '../../caps/harness.js';
import { wat } from '../../helpers/wat.js';

let w: World;
let component: Uint8Array;
beforeAll(async () => {
  w = await world();
  const dir = new URL('../../../guests/wat/hostile/caps/', import.meta.url);
  const core = await wat(readFileSync(new URL('sockets.wat', dir), 'utf8'));
  const embedded = await componentEmbed({
    binary: core,
    witSource: readFileSync(new URL('sockets.wit', dir), 'utf8'),
    world: 'sockets-probe',
  });
  component = await componentNew(embedded, []);
});
afterAll(() => w.close());

it('fails the spawn with capability-denied, naming the import', async () => {
  const module = await w.kernel.load(component, { name: 'sockets' });
  // The first import in name order: wasi:sockets/tcp, for the tcp-socket resource that
  // create-tcp-socket returns (as WASI declares it).
  await expect(w.kernel.spawn(module)).rejects.toMatchObject({
    code: 'capability-denied',
    details: { import: 'wasi:sockets/tcp@0.2.3' },
  });
});

it('refuses to grant sockets', async () => {
  const module = await w.kernel.load(component, { name: 'sockets' });
  await expect(w.kernel.spawn(module, { grants: ['wasi:sockets/*'] })).rejects.toMatchObject({
    code: 'capability-denied',
  });
});

it('with lazy denial, answers access-denied as a WASI error and emits capability:denied', async () => {
  const module = await w.kernel.load(component, { name: 'sockets' });
  const sandbox = await w.kernel.spawn(module, { denial: 'call' });
  // 100 * err + access-denied (1)
  expect((await sandbox.invoke('try-socket')).value).toBe(101);
  expect(sandbox.state).toBe('ready');
  expect(w.events.filter((e) => e.event === 'capability:denied').at(-1)?.data).toMatchObject({
    interface: 'wasi:sockets/tcp-create-socket',
    at: 'call',
    op: 'create-tcp-socket',
  });
});
