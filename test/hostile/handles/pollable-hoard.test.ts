/**
 * Attack: make the host hold objects without bound through a WASI resource. The guest asks
 * stdout's stream for a new pollable ten million times and drops none: each one is a host
 * object and a handle-table entry. Every handle a sandbox holds counts against
 * `limits.handles` (10,000): the 10,001st is refused with `resource-limit`, a `resource:limit`
 * event is emitted, the sandbox is poisoned, and the host's heap barely moves. A guest that
 * drops what it makes never meets the limit. The same holds for a sandbox in a worker thread,
 * whose host objects are counted in the kernel's thread as well.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModuleHandle } from '../../../host/index.js';
import { PLACEMENTS } from '../../helpers/placements.js';
import { hoarder, recordingKernel, refused } from './support.js';

const HOARD = 10_000_000;

describe.each(PLACEMENTS)('pollable hoard (%s)', (placement) => {
  const { kernel, events } = recordingKernel({ placement });
  let module: ModuleHandle;
  beforeAll(async () => {
    module = await kernel.load(await hoarder('pollable-hoard'), { name: 'pollable-hoard' });
  });
  afterAll(() => kernel.close());

  it('refuses the handle past limits.handles with resource-limit, in bounded time and memory', async () => {
    const sandbox = await kernel.spawn(module, { grants: ['wasi:cli/stdout'] });
    const outcome = await refused(() => sandbox.invoke('hoard', [HOARD, 0]));
    expect(outcome.error.code).toBe('resource-limit');
    expect(outcome.error.details).toMatchObject({ limit: 'handles', max: 10_000, kind: 'pollable' });
    expect(sandbox.state).toBe('poisoned');
    expect(outcome.heapGrowthBytes).toBeLessThan(32 * 1024 * 1024);
    expect(outcome.ms).toBeLessThan(10_000);
    const limit = events.filter((e) => e.event === 'resource:limit' && e.sandbox === sandbox.id);
    expect(limit).toHaveLength(1);
    expect(limit[0]!.data).toMatchObject({ limit: 'handles', max: 10_000, kind: 'pollable' });
  });

  it('never refuses a guest that drops what it makes; a new sandbox starts from zero', async () => {
    const sandbox = await kernel.spawn(module, { grants: ['wasi:cli/stdout'] });
    expect((await sandbox.invoke('hoard', [30_000, 1])).value).toBe(30_000);
    expect((await sandbox.invoke('hoard', [9_000, 0])).value).toBe(9_000);
    const next = await kernel.spawn(module, { grants: ['wasi:cli/stdout'] });
    expect((await next.invoke('hoard', [9_000, 0])).value).toBe(9_000);
  });

  it('takes a lower limit per sandbox', async () => {
    const sandbox = await kernel.spawn(module, { grants: ['wasi:cli/stdout'], limits: { handles: 100 } });
    const outcome = await refused(() => sandbox.invoke('hoard', [HOARD, 0]));
    expect(outcome.error.details).toMatchObject({ limit: 'handles', max: 100 });
  });
});
