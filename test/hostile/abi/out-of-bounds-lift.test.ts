/**
 * Attack: exports that hand the host values breaking the canonical ABI — a string past the end
 * of memory, a length of 4 GiB, a misaligned list, a list whose byte length passes 2^32, an enum
 * case that does not exist, a char that is a surrogate, a result pointer far outside memory.
 * Each is the guest's fault: `trap` (the sandbox poisoned), never `internal`, and the host
 * neither reads outside the guest's memory nor allocates for the bogus lengths.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentFromWat, tempCacheDir } from '../../helpers/components.js';

const WAT = readFileSync(new URL('../../../guests/wat/hostile/abi/bad-lifts.wat', import.meta.url), 'utf8');
const WIT = `package test:hostile-abi;
world bad-lifts {
  enum color { red, green }
  export oob-string: func() -> string;
  export huge-string: func() -> string;
  export misaligned-list: func() -> list<u32>;
  export wrapping-list: func() -> list<u64>;
  export bad-enum: func() -> color;
  export bad-char: func() -> char;
  export bad-result-pointer: func() -> string;
}`;

const EXPORTS = [
  'oob-string',
  'huge-string',
  'misaligned-list',
  'wrapping-list',
  'bad-enum',
  'bad-char',
  'bad-result-pointer',
];

it('out-of-bounds lifts: every bad value from the guest is a trap, never internal', async () => {
  const kernel = new Kernel({ cacheDir: tempCacheDir() });
  const module = await kernel.load(await componentFromWat(WAT, WIT, 'bad-lifts'));
  const before = process.memoryUsage().heapUsed;
  for (const name of EXPORTS) {
    const sandbox = await kernel.spawn(module);
    const failure = await sandbox.invoke(name).then(
      () => undefined,
      (error: unknown) => error as { code?: string; message?: string },
    );
    expect(failure?.code, name).toBe('trap');
    expect(failure?.message, name).toMatch(/canonical ABI trap|over the limit/);
    expect(sandbox.state, name).toBe('poisoned');
  }
  expect(process.memoryUsage().heapUsed - before).toBeLessThan(32 * 1024 * 1024);
  await kernel.close();
});
