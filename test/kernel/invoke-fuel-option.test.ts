/**
 * `InvokeOptions.fuel` is a non-negative number, never coerced: a string was read as its number
 * (`Math.min('100', left)`), a BigInt threw a bare TypeError (no code), and an unmetered sandbox
 * took anything (redteam14).
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat } from '../helpers/components.js';

it('invoke fuel option: a fuel that is not a non-negative number is invalid-argument, metered or not', async () => {
  for (const metering of [undefined, false] as const) {
    const kernel = new Kernel({ cacheDir: false, ...(metering === false ? { metering } : {}) });
    try {
      const sandbox = await kernel.spawn(
        await kernel.load(await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder')),
      );
      for (const fuel of ['100', 1n, null, {}, Number.NaN, -1]) {
        const options = { fuel } as unknown as { fuel: number };
        let thrown: unknown;
        try {
          sandbox.invokeSync('docs:adder/add#add', [1, 2], options);
        } catch (error) {
          thrown = error;
        }
        expect(thrown, `${metering} ${String(fuel)}`).toMatchObject({ code: 'invalid-argument' });
        await expect(sandbox.invoke('docs:adder/add#add', [1, 2], options)).rejects.toMatchObject({
          code: 'invalid-argument',
        });
      }
      expect(sandbox.invokeSync('docs:adder/add#add', [1, 2], { fuel: 1_000_000 }).value).toBe(3);
      expect(sandbox.state).toBe('ready');
    } finally {
      await kernel.close();
    }
  }
});
