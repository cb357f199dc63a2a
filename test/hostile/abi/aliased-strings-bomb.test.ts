/**
 * Attack: an export returns a list of strings that all name the same megabyte of guest memory,
 * so that 1.5 MiB of guest memory asks the host to decode 600 MiB (or, with more entries, far
 * more than the host has). Strings and lists lifted from a guest are admitted before they are
 * decoded: counted against a cap per call (the sandbox's memory limit) and charged. The call
 * traps after a few strings; the host's heap barely moves.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentFromWat, tempCacheDir } from '../../helpers/components.js';

const WAT = readFileSync(
  new URL('../../../guests/wat/hostile/abi/aliased-strings.wat', import.meta.url),
  'utf8',
);
const WIT = `package test:hostile-abi;
world bomb { export bomb: func(n: u32) -> list<string>; }`;

it('aliased strings bomb: the host decodes at most the per-call cap, then the call traps', async () => {
  const kernel = new Kernel({ cacheDir: tempCacheDir(), limits: { memoryBytes: 2 * 1024 * 1024 } });
  const module = await kernel.load(await componentFromWat(WAT, WIT, 'bomb'));
  const sandbox = await kernel.spawn(module);
  const before = process.memoryUsage().heapUsed;
  const started = performance.now();
  const failure = await sandbox.invoke('bomb', [600]).then(
    () => undefined,
    (error: unknown) => error as { code?: string; message?: string },
  );
  const elapsed = performance.now() - started;
  const grown = process.memoryUsage().heapUsed - before;
  expect(failure?.code).toBe('trap');
  expect(failure?.message).toMatch(/over the limit of 2097152/);
  expect(sandbox.state).toBe('poisoned');
  expect(grown).toBeLessThan(64 * 1024 * 1024);
  expect(elapsed).toBeLessThan(5000);
  // The host is fine: a new sandbox of the same module runs a small call.
  const fresh = await kernel.spawn(module);
  expect(((await fresh.invoke('bomb', [1])).value as string[])[0]).toHaveLength(1024 * 1024);
  await kernel.close();
});
