/**
 * An untimed call's deadline clock starts at its first fuel slice or wait (docs/limits.md, "When
 * its clock starts"); a sandbox of an unmetered kernel hands out no slices, so its untimed calls'
 * clock starts with the call: host work before the guest's first wait is counted. With the clock
 * started at the first question instead, 300 ms of a provider's work under a 200 ms deadline
 * left the whole 200 ms (review13).
 */
import { expect, it } from 'vitest';
import { type CapabilityProvider, Kernel } from '../../host/index.js';
import { BENCH_WAT, BENCH_WIT, componentFromWat } from '../helpers/components.js';

it('untimed unmetered deadline: an unmetered sandbox counts its call from the start', async () => {
  let calls = 0;
  let left = -1;
  const provider: CapabilityProvider = {
    name: 'bench-host',
    interfaces: ['keel:bench/host'],
    link: ({ context }) => ({
      tick: (x: number) => {
        if (calls++ === 0) {
          const end = performance.now() + 300;
          while (performance.now() < end);
        } else if (left < 0) left = context.timeLeftMs();
        return x;
      },
    }),
  };
  const kernel = new Kernel({
    cacheDir: false,
    metering: false,
    providers: [provider],
    limits: { deadlineMs: 200 },
  });
  try {
    const module = await kernel.load(await componentFromWat(BENCH_WAT, BENCH_WIT, 'bench'));
    for (const options of [{}, { timing: false }, { timing: true }]) {
      const sandbox = await kernel.spawn(module, { grants: ['keel:bench/host'] });
      calls = 0;
      left = -1;
      sandbox.invokeSync('call-host', [2], options);
      expect(left, JSON.stringify(options)).toBe(0);
    }
  } finally {
    await kernel.close();
  }
}, 60_000);
