/**
 * Attack on the check of a core instantiation's table, memory and global imports at load (fix of
 * validation/instantiation.wast 381-429): a module exporting N globals and one importing all N
 * from it. Each import looks up the type of what it is given in the exporting module: read per
 * lookup, that is N reads of an N-global module (with N = 15,000 it did not end in 300 s); the
 * types are read once per module. Measured against the same shape with functions (no entity
 * check), so that the load's other costs cancel out.
 */
import { expect, it } from 'vitest';
import { parse } from '../../../scripts/lib/wasm-tools.js';
import { loadMs } from './support.js';

const N = 15_000;

function text(kind: 'global' | 'func'): string {
  const defined: string[] = [];
  const imported: string[] = [];
  for (let i = 0; i < N; i++) {
    defined.push(
      kind === 'global'
        ? `(global (export "g${i}") i32 (i32.const ${i}))`
        : `(func (export "g${i}") (result i32) (i32.const ${i}))`,
    );
    imported.push(`(import "" "g${i}" ${kind === 'global' ? '(global i32)' : '(func (result i32))'})`);
  }
  return `(component
    (core module $d ${defined.join(' ')})
    (core module $u ${imported.join(' ')})
    (core instance $i (instantiate $d))
    (core instance (instantiate $u (with "" (instance $i)))))`;
}

it('a module importing many globals from another loads in about the time of as many functions', async () => {
  const globals = await parse(text('global'));
  const funcs = await parse(text('func'));
  // A fresh copy of the bytes each time, as separate loads of an embedder would have.
  const time = (bytes: Uint8Array) => loadMs(bytes.slice(), { metering: false });
  let best = { globals: Number.POSITIVE_INFINITY, funcs: Number.POSITIVE_INFINITY };
  for (let round = 0; round < 3; round++)
    best = {
      globals: Math.min(best.globals, await time(globals)),
      funcs: Math.min(best.funcs, await time(funcs)),
    };
  console.log(
    `${N} global imports: ${best.globals.toFixed(1)} ms, ${N} function imports: ${best.funcs.toFixed(1)} ms`,
  );
  expect(best.globals / best.funcs).toBeLessThan(5);
}, 120_000);
