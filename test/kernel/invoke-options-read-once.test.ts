/**
 * `invoke`'s options are read once each, when given (the default options read none): an
 * embedder's getter runs once, and what the call uses is what it returned (stdin was read twice,
 * once to test it and once to use it).
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat } from '../helpers/components.js';

it('invoke options: stdin, fuel and timing are each read once a call', async () => {
  const kernel = new Kernel({ cacheDir: false });
  try {
    const sandbox = await kernel.spawn(
      await kernel.load(await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder')),
    );
    const reads = { stdin: 0, fuel: 0, timing: 0 };
    const options = {
      get stdin() {
        reads.stdin++;
        return 'input';
      },
      get fuel() {
        reads.fuel++;
        return 1_000_000;
      },
      get timing() {
        reads.timing++;
        return true;
      },
    };
    const outcome = sandbox.invokeSync('docs:adder/add#add', [1, 2], options);
    expect(outcome.value).toBe(3);
    expect(outcome.duration_ms).toBeGreaterThanOrEqual(0);
    expect(reads).toEqual({ stdin: 1, fuel: 1, timing: 1 });
    expect((await sandbox.invoke('docs:adder/add#add', [2, 3], options)).value).toBe(5);
    expect(reads).toEqual({ stdin: 2, fuel: 2, timing: 2 });
  } finally {
    await kernel.close();
  }
});
