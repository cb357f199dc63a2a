/**
 * The Explainer's gated `map<K, V>` (type form 0x63, values/concat.wast's second component) is a
 * feature Keel does not run: it is refused as `unsupported component: map types`, a deliberate
 * refusal, not as a malformed type (before: "unknown type form 0x63"), wherever it appears.
 */
import { afterAll, expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { parse } from '../../scripts/lib/wasm-tools.js';
import { loadOutcome } from '../helpers/components.js';

const kernel = new Kernel({ cacheDir: false });
afterAll(() => kernel.close());

const refusal = async (text: string) => loadOutcome(kernel, await parse(text));

it('a map type is refused as unsupported, in a type definition and inside an import', async () => {
  expect(await refusal('(component (type (map string u32)))')).toMatch(
    /^invalid-module: unsupported component: map types \(type section\)/,
  );
  expect(
    await refusal('(component (import "f" (func (param "a" (map u32 (list u8))) (result string))))'),
  ).toMatch(/^invalid-module: unsupported component: map types/);
});
