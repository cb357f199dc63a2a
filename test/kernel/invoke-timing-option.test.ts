/** `InvokeOptions.timing` is a boolean: anything else is refused, not read as "untimed" (review13). */
import { expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat } from '../helpers/components.js';

it('invoke timing option: a timing that is not a boolean is invalid-argument, and the sandbox still answers', async () => {
  const kernel = new Kernel({ cacheDir: false });
  try {
    const sandbox = await kernel.spawn(
      await kernel.load(await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder')),
    );
    for (const timing of [1, 'yes', null]) {
      const options = { timing } as unknown as { timing: boolean };
      expect(() => sandbox.invokeSync('docs:adder/add#add', [1, 2], options)).toThrow(
        /InvokeOptions.timing must be a boolean/,
      );
      await expect(sandbox.invoke('docs:adder/add#add', [1, 2], options)).rejects.toMatchObject({
        code: 'invalid-argument',
      });
    }
    expect(
      sandbox.invokeSync('docs:adder/add#add', [1, 2], { timing: true }).duration_ms,
    ).toBeGreaterThanOrEqual(0);
    expect(sandbox.invokeSync('docs:adder/add#add', [1, 2]).value).toBe(3);
  } finally {
    await kernel.close();
  }
});
