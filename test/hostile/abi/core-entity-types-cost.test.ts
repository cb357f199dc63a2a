/**
 * Attack on the check of a core instantiation's table, memory and global imports at load (fix of
 * validation/instantiation.wast 381-429): a module exporting N globals and one importing all N
 * from it. Each import looks up the type of what it is given in the exporting module: read per
 * lookup, that is N reads of an N-global module (10x the globals, 100x the time); the types are
 * read once per module, so the load is linear in the component.
 */
import { expect, it } from 'vitest';
import { parse } from '../../../scripts/lib/wasm-tools.js';
import { loadMs } from './support.js';

function text(n: number): string {
  const defined: string[] = [];
  const imported: string[] = [];
  for (let i = 0; i < n; i++) {
    defined.push(`(global (export "g${i}") i32 (i32.const ${i}))`);
    imported.push(`(import "" "g${i}" (global i32))`);
  }
  return `(component
    (core module $d ${defined.join(' ')})
    (core module $u ${imported.join(' ')})
    (core instance $i (instantiate $d))
    (core instance (instantiate $u (with "" (instance $i)))))`;
}

it('a module importing many globals from another loads in time linear in the component', async () => {
  const small = await parse(text(1_500));
  const large = await parse(text(15_000));
  const time = (bytes: Uint8Array) => loadMs(bytes, { metering: false });
  let best = { small: Number.POSITIVE_INFINITY, large: Number.POSITIVE_INFINITY };
  for (let round = 0; round < 3; round++)
    best = { small: Math.min(best.small, await time(small)), large: Math.min(best.large, await time(large)) };
  console.log(`global imports: ${best.small.toFixed(1)} ms, 10x: ${best.large.toFixed(1)} ms`);
  // 10x the globals: about 10x the time; a read of the exporter per import would be about 100x.
  expect(best.large / best.small).toBeLessThan(30);
}, 120_000);
