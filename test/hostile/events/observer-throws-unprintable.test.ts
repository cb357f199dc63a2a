/**
 * Attack (an embedder's observer, or a guest's value it rethrows): a hook throws a value that
 * cannot be converted to a string (an object without a prototype, an Error whose `message` getter
 * throws). A hook's failure is `hook:error` and the run goes on (docs/events.md); here the
 * conversion threw out of the emit, and `kernel.load` failed with an untyped TypeError.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';

const PROBE = readFileSync(new URL('../../../guests/as/probe/probe.wasm', import.meta.url));

const unprintable = [
  Object.create(null),
  Object.defineProperty(new Error('x'), 'message', {
    get() {
      throw new Error('no message');
    },
  }),
];

for (const [i, thrown] of unprintable.entries()) {
  it(`a hook throwing an unprintable value (${i}) is a hook:error, and the load goes on`, async () => {
    const kernel = new Kernel({ cacheDir: false });
    const errors: unknown[] = [];
    kernel.events.subscribe('hook:error', (e) => {
      errors.push(e.error);
    });
    kernel.events.subscribe('module:load', () => {
      throw thrown;
    });
    try {
      const module = await kernel.load(PROBE);
      expect(module.kind).toBe('component');
      expect(errors).toEqual([{ code: 'internal', message: 'a value that cannot be converted to a string' }]);
    } finally {
      await kernel.close();
    }
  });
}
