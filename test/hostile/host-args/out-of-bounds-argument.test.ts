/**
 * Attack: call host functions with strings and lists that do not lie in the guest's memory: a
 * "negative" length (-1, 4 GiB), 2 GiB from a 64 KiB memory, a list that runs past the end by a
 * few bytes. Each is the guest's mistake, found before anything is admitted, copied or charged:
 * `trap` (never `internal`, never a limit), the sandbox poisoned, nothing logged or written, the
 * host's heap flat.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLACEMENTS } from '../../helpers/placements.js';
import { type Flood, flood, heapGrowth } from './support.js';

const CASES: [string, number, number][] = [
  ['log-at', 0, 0xffff_ffff],
  ['log-at', 65536 - 2, 4],
  ['write-at', 0, 0x7fff_ffff],
  ['write-at', 65536 - 4, 8],
];

describe.each(PLACEMENTS)('arguments outside the guest memory (%s)', (placement) => {
  let f: Flood;
  beforeAll(async () => {
    f = await flood({ placement });
  });
  afterAll(() => f.kernel.close());

  it.each(CASES)('%s(%i, %i) is a trap, and nothing reaches the provider', async (name, ptr, len) => {
    let written = 0;
    const sandbox = await f.kernel.spawn(f.module, {
      grants: ['keel:kernel/log', 'wasi:cli/stdout'],
      denial: 'call',
      io: {
        stdout: (chunk) => {
          written += chunk.length;
        },
      },
    });
    const before = process.memoryUsage().heapUsed;
    const error = await sandbox.invoke(name, [ptr, len]).then(
      () => undefined,
      (thrown: unknown) => thrown as { code: string; message: string },
    );
    expect(error?.code).toBe('trap');
    expect(error?.message).toMatch(/past the end of memory/);
    expect(sandbox.state).toBe('poisoned');
    expect(written).toBe(0);
    expect(f.events.some((e) => e.sandbox === sandbox.id && e.event === 'guest:log')).toBe(false);
    expect(heapGrowth(before)).toBeLessThan(16 * 1024 * 1024);
  });
});
