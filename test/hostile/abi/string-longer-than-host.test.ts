/**
 * Attack: under a memory limit an embedder raised to 1 GiB, an export returns a string of one
 * byte more than V8's longest string (2^29 - 24 code units). The one-byte copy (ASCII UTF-8,
 * latin1) threw Node's "Cannot create a string longer than ..." outside the decoder's `try`, and
 * the call ended as `internal`; the decoder's path said "not valid UTF-8" of valid text. Each is now the
 * guest's `trap`, naming the limit.
 */
// @alone: each case fills 512 MiB of guest memory and the host copies it (1.6 GB of RSS at the peak).
import { constants } from 'node:buffer';
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { hostileComponent, REALLOC, returnsPair } from './support.js';

/** `a` bytes, then `tail`: one code unit more than the longest host string. */
function component(tail: readonly number[], encoding: 'utf8' | 'compact-utf16'): Promise<Uint8Array> {
  const length = constants.MAX_STRING_LENGTH + tail.length;
  const stores = tail
    .map((b, i) => `(i32.store8 (i32.const ${65536 + length - tail.length + i}) (i32.const ${b}))`)
    .join(' ');
  return hostileComponent(
    `${REALLOC}
     (func (export "f") (result i32)
       (drop (memory.grow (i32.const 8200)))
       (memory.fill (i32.const 65536) (i32.const 0x61) (i32.const ${length}))
       ${stores}
       ${returnsPair(65536, length)})`,
    'world w { export f: func() -> string; }',
    encoding,
  );
}

const CASES = [
  ['ASCII UTF-8 (the one-byte copy)', [0x61], 'utf8'],
  ['UTF-8 ending in é (the decoder)', [0xc3, 0xa9], 'utf8'],
  ['latin1', [0xe9], 'compact-utf16'],
] as const;

for (const [what, last, encoding] of CASES) {
  it(`string longer than host: ${what} is a trap, not internal`, async () => {
    const kernel = new Kernel({ cacheDir: false, limits: { memoryBytes: 1024 * 1024 * 1024, fuel: 1e15 } });
    try {
      const sandbox = await kernel.spawn(await kernel.load(await component(last, encoding)));
      await expect(sandbox.invoke('f')).rejects.toMatchObject({
        code: 'trap',
        message: expect.stringMatching(/longer than a host string can be/),
      });
    } finally {
      await kernel.close();
    }
  }, 60_000);
}
