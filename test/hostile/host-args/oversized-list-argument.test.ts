/**
 * Attack: write 32 MiB to stdout in one `output-stream.write` (a resource method, past what
 * `check-write` ever allows), to make the host copy it and hand it on. The list is bounded by
 * `limits.hostArgBytes` (1 MiB) when it is lifted: `resource-limit` before the provider runs,
 * nothing reaches stdout, the host's heap barely moves. A write within the limit goes through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLACEMENTS } from '../../helpers/placements.js';
import { type Flood, flood, heapGrowth } from './support.js';

describe.each(PLACEMENTS)('an oversized list argument (%s)', (placement) => {
  let f: Flood;
  beforeAll(async () => {
    f = await flood({ placement });
  });
  afterAll(() => f.kernel.close());

  it('is refused with resource-limit, and nothing reaches stdout', async () => {
    let written = 0;
    const io = {
      stdout: (chunk: Uint8Array) => {
        written += chunk.length;
      },
    };
    const sandbox = await f.kernel.spawn(f.module, { grants: ['wasi:cli/stdout'], denial: 'call', io });
    const before = process.memoryUsage().heapUsed;
    await expect(sandbox.invoke('write-big', [32 << 20])).rejects.toMatchObject({
      code: 'resource-limit',
      details: {
        limit: 'hostArgBytes',
        max: 1 << 20,
        bytes: 32 << 20,
        import: 'wasi:io/streams@0.2.3#[method]output-stream.write',
      },
    });
    expect(written).toBe(0);
    expect(heapGrowth(before)).toBeLessThan(16 * 1024 * 1024);
    expect(sandbox.state).toBe('poisoned');
    const next = await f.kernel.spawn(f.module, { grants: ['wasi:cli/stdout'], denial: 'call', io });
    await next.invoke('write-big', [1 << 20]);
    expect(written).toBe(1 << 20);
  });
});
