/**
 * Attack: a module that asks for 4 GiB of memory up front. It is refused with `memory-limit`
 * before instantiation: by the spawn check against the sandbox's limit, and by the metering
 * when the compile-time cap is lower.
 */
import { expect, it } from 'vitest';
import { checkInitialLimits, meterModule } from '../../../host/meter/index.js';
import { watFile } from '../../helpers/wat.js';
import { thrown } from '../../meter/support.js';

const GUEST = 'guests/wat/hostile/meter/huge-initial-memory.wat';

it('huge initial memory: refused with memory-limit before instantiation', async () => {
  const bytes = await watFile(GUEST);
  const spawn = thrown(() =>
    checkInitialLimits(bytes, { memoryBytes: 64 * 1024 * 1024, tableElements: 10_000 }),
  );
  expect(spawn.code).toBe('memory-limit');
  expect(spawn.details).toEqual({ memory: 0, requestedPages: 65536, limitPages: 1024 });
  const metered = meterModule(bytes);
  expect(() => checkInitialLimits(metered, { memoryBytes: 64 * 1024 * 1024, tableElements: 10_000 })).toThrow(
    /memory limit/,
  );
  expect(thrown(() => meterModule(bytes, { maxMemoryPages: 1024 })).code).toBe('memory-limit');
});
