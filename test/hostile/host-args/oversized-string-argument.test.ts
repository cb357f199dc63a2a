/**
 * Attack: hand the host a 32 MiB string in one call (a log message), to make it decode and
 * copy far more than any host function needs. What a guest passes one host function is
 * bounded by `limits.hostArgBytes` (1 MiB): the call is refused with `resource-limit` when the
 * string is lifted, before it is decoded and before the provider runs; the sandbox is
 * poisoned and a `resource:limit` event says why. Within the limit every byte is charged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLACEMENTS } from '../../helpers/placements.js';
import { type Flood, flood, heapGrowth } from './support.js';

const IMPORT = 'keel:kernel/log@0.2.0#log';

describe.each(PLACEMENTS)('an oversized string argument (%s)', (placement) => {
  let f: Flood;
  beforeAll(async () => {
    f = await flood({ placement });
  });
  afterAll(() => f.kernel.close());

  it('is refused with resource-limit before the provider runs, in bounded memory', async () => {
    const sandbox = await f.kernel.spawn(f.module, { grants: ['keel:kernel/log'], denial: 'call' });
    const before = process.memoryUsage().heapUsed;
    const started = performance.now();
    await expect(sandbox.invoke('log-big', [32 << 20])).rejects.toMatchObject({
      code: 'resource-limit',
      details: { limit: 'hostArgBytes', max: 1 << 20, bytes: 32 << 20, import: IMPORT },
    });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(heapGrowth(before)).toBeLessThan(16 * 1024 * 1024);
    expect(sandbox.state).toBe('poisoned');
    const mine = f.events.filter((e) => e.sandbox === sandbox.id);
    expect(mine.some((e) => e.event === 'guest:log')).toBe(false);
    expect(mine.filter((e) => e.event === 'resource:limit').map((e) => e.data)).toEqual([
      { limit: 'hostArgBytes', max: 1 << 20, bytes: 32 << 20, import: IMPORT },
    ]);
  });

  it('takes a string of exactly the limit, and charges every byte it accepts (1 fuel per 64)', async () => {
    const sandbox = await f.kernel.spawn(f.module, { grants: ['keel:kernel/log'], denial: 'call' });
    const small = (await sandbox.invoke('log-big', [64])).fuel.used;
    const large = (await sandbox.invoke('log-big', [1 << 20])).fuel.used;
    expect(large - small).toBeGreaterThanOrEqual(((1 << 20) - 64) / 64);
    const raised = await f.kernel.spawn(f.module, {
      grants: ['keel:kernel/log'],
      denial: 'call',
      limits: { hostArgBytes: 16 << 20 },
    });
    const huge = (await raised.invoke('log-big', [8 << 20])).fuel.used;
    expect(huge - small).toBeGreaterThanOrEqual(((8 << 20) - 64) / 64);
  });
});
