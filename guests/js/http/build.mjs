// Builds build/http.wasm from http.js with componentize-js (StarlingMonkey): outgoing HTTP via
// fetch (wasi:http), no stdio. Not run by npm test; the output is committed. Run from the
// repository root: node guests/js/http/build.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { componentize } from '@bytecodealliance/componentize-js';

const here = new URL('./', import.meta.url);
const { component } = await componentize(readFileSync(new URL('http.js', here), 'utf8'), {
  witPath: new URL('wit', here).pathname,
  worldName: 'http-probe',
  disableFeatures: ['stdio', 'fetch-event'],
});
writeFileSync(new URL('build/http.wasm', here), component);
console.log(`built guests/js/http/build/http.wasm (${component.length} bytes)`);
