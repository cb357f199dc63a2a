/**
 * Attack: make the host's handle tables grow without bound with resources the guest defines
 * itself. The guest calls `resource.new` of its own `token` type ten million times and drops
 * none; each is an entry in its component instance's handle table, which the host keeps.
 * These count against `limits.handles` as the host's resources do: the 10,001st is refused
 * with `resource-limit` and a `resource:limit` event, the sandbox is poisoned, and the host's
 * heap barely moves. A guest that drops its tokens never meets the limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModuleHandle } from '../../../host/index.js';
import { PLACEMENTS } from '../../helpers/placements.js';
import { hoarder, recordingKernel, refused } from './support.js';

const HOARD = 'test:hostile/tokens#hoard';

describe.each(PLACEMENTS)('token hoard (%s)', (placement) => {
  const { kernel, events } = recordingKernel({ placement });
  let module: ModuleHandle;
  beforeAll(async () => {
    module = await kernel.load(await hoarder('token-hoard'), { name: 'token-hoard' });
  });
  afterAll(() => kernel.close());

  it('refuses the handle past limits.handles with resource-limit, in bounded time and memory', async () => {
    const sandbox = await kernel.spawn(module);
    const outcome = await refused(() => sandbox.invoke(HOARD, [10_000_000, 0]));
    expect(outcome.error.code).toBe('resource-limit');
    expect(outcome.error.details).toMatchObject({ limit: 'handles', max: 10_000, kind: 'token' });
    expect(sandbox.state).toBe('poisoned');
    expect(outcome.heapGrowthBytes).toBeLessThan(32 * 1024 * 1024);
    expect(outcome.ms).toBeLessThan(10_000);
    const limit = events.filter((e) => e.event === 'resource:limit' && e.sandbox === sandbox.id);
    expect(limit.map((e) => e.data)).toEqual([{ limit: 'handles', max: 10_000, kind: 'token' }]);
  });

  it("counts each sandbox's handles against its own limit, never another's", async () => {
    const small = await kernel.spawn(module, { limits: { handles: 100 } });
    const large = await kernel.spawn(module);
    expect((await small.invoke(HOARD, [100, 0])).value).toBe(100);
    expect((await large.invoke(HOARD, [5_000, 0])).value).toBe(5_000);
    const outcome = await refused(() => small.invoke(HOARD, [1, 0]));
    expect(outcome.error.details).toMatchObject({ limit: 'handles', max: 100, kind: 'token' });
    expect(small.state).toBe('poisoned');
    expect((await large.invoke(HOARD, [4_999, 0])).value).toBe(4_999);
    const more = await refused(() => large.invoke(HOARD, [2, 0]));
    expect(more.error.details).toMatchObject({ limit: 'handles', max: 10_000, kind: 'token' });
  });

  it('never refuses a guest that drops its tokens', async () => {
    const sandbox = await kernel.spawn(module);
    expect((await sandbox.invoke(HOARD, [50_000, 1])).value).toBe(50_000);
    expect((await sandbox.invoke(HOARD, [9_999, 0])).value).toBe(9_999);
  });
});
