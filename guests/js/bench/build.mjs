// Builds build/bench.wasm from bench.js with componentize-js (StarlingMonkey), with every WASI
// feature disabled: the component imports only keel:bench/host. Not run by npm test; the output
// is committed. Run from the repository root: node guests/js/bench/build.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { componentize } from '@bytecodealliance/componentize-js';

const here = new URL('./', import.meta.url);
const { component } = await componentize(readFileSync(new URL('bench.js', here), 'utf8'), {
  witPath: new URL('wit', here).pathname,
  worldName: 'js-bench',
  disableFeatures: ['stdio', 'random', 'clocks', 'http'],
});
writeFileSync(new URL('build/bench.wasm', here), component);
console.log(`built guests/js/bench/build/bench.wasm (${component.length} bytes)`);
