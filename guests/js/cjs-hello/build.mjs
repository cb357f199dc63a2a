// Builds hello.wasm with componentize-js (StarlingMonkey). Not run by npm test; the output is
// committed. Run from the repository root: node guests/js/cjs-hello/build.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { componentize } from '@bytecodealliance/componentize-js';

const here = new URL('./', import.meta.url);
const { component } = await componentize(readFileSync(new URL('hello.js', here), 'utf8'), {
  witPath: new URL('wit', here).pathname,
  worldName: 'probe',
  disableFeatures: ['http'],
});
writeFileSync(new URL('build/hello.wasm', here), component);
console.log(`built guests/js/cjs-hello/build/hello.wasm (${component.length} bytes)`);
