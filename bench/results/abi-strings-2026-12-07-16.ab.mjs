// A/B of string calls: node abi-strings-2026-12-07-16.ab.mjs <repo root with dist/> [rounds]
// Rows: count-chars (a host string lowered into the Rust guest, utf8), words (strings lifted from
// it: list<string>), shout2 (composed.wat: a string passed between two components, each way).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
const root = process.argv[2];
const { Kernel } = await import(join(root, 'dist/host/index.js'));
const { parse } = await import(join(root, 'dist/scripts/lib/wasm-tools.js'));
const here = '/work/wt/conform16';
const kernel = new Kernel({ cacheDir: false });
const rust = await kernel.spawn(await kernel.load(readFileSync(join(here, 'guests/rust/abi/abi.wasm'))));
// composed.wat's guests bump-allocate in one page: a fresh sandbox every 250 calls (spawned untimed).
const composedModule = await kernel.load(
  await parse(readFileSync(join(here, 'test/abi/fixtures/composed.wat'), 'utf8')),
);
const text = 'hello composed world, a string of some length '.repeat(2);
const out = {};
for (const name of ['count-chars', 'words']) {
  const f = rust.fn(name);
  for (let i = 0; i < 2000; i++) f(text);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 20000; i++) f(text);
  out[name] = Number(process.hrtime.bigint() - t0) / 20000;
}
let ns = 0n;
let calls = 0;
for (let batch = 0; batch < 40; batch++) {
  const sandbox = await kernel.spawn(composedModule);
  const f = sandbox.fn('shout2');
  for (let i = 0; i < 50; i++) f(text);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 200; i++) f(text);
  if (batch >= 5) {
    ns += process.hrtime.bigint() - t0;
    calls += 200;
  }
  sandbox.terminate();
}
out.shout2 = Number(ns) / calls;
console.log(JSON.stringify(out));
await kernel.close();
