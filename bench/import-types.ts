/**
 * What checking a component's imports against its providers' WIT types costs (docs/abi.md,
 * "Import types"): a cold load of a component that imports keel:kernel interfaces, against the
 * check its first spawn makes (the providers' types parsed once per process, then the
 * comparison once per module and kernel), and a later spawn's (a cached verdict). Interleaved
 * in one process: each round loads the component afresh (no cache) in a new kernel. Keel's WASI
 * providers declare their types too: each round also runs the first spawn's check with
 * registries whose WASI providers declare none (what it cost before), and parses a fresh copy of
 * every WASI package's types (what a process pays once).
 *
 *   npm run build && node dist/bench/import-types.js [component.wasm] [rounds]
 */
import { readFileSync } from 'node:fs';
import { BUILTIN_PROVIDERS } from '../host/caps/index.js';
import { keelEvents } from '../host/caps/keel-events.js';
import { keelIpc } from '../host/caps/keel-ipc.js';
import { keelLog } from '../host/caps/keel-log.js';
import { keelSelf } from '../host/caps/keel-self.js';
import type { CapabilityProvider } from '../host/caps/provider.js';
import { keelKernelTypes } from '../host/caps/wit-types.js';
import { Kernel } from '../host/index.js';
import { checkImportTypes, servedTypes } from '../host/kernel/import-types.js';
import { ProviderRegistry } from '../host/kernel/linker.js';
import { loadedModule } from '../host/kernel/module.js';

const file = process.argv[2] ?? 'guests/sdk-probe/c/probe.wasm';
const rounds = Number(process.argv[3] ?? 15);
const bytes = new Uint8Array(readFileSync(file));

const t0 = performance.now();
for (const p of [keelLog, keelEvents, keelIpc, keelSelf]) servedTypes(p);
const parseMs = performance.now() - t0;
const WASI = BUILTIN_PROVIDERS.filter((p) => p.interfaces.some((i) => i.startsWith('wasi:')) && p.wit);
/** Each WASI package's types, as a fresh copy: parsing it is not cached. */
const freshWasi = (): CapabilityProvider[] =>
  WASI.map((p) => {
    const wit = p.wit!;
    return { ...p, wit: new Uint8Array(typeof wit === 'function' ? wit() : wit) };
  });
const t2 = performance.now();
for (const p of freshWasi()) servedTypes(p);
const wasiParseMs = performance.now() - t2;
/** The built-in providers as before WASI's declared types: its providers declare none. */
const UNTYPED = BUILTIN_PROVIDERS.map((p) => (WASI.includes(p) ? { ...p, wit: undefined } : p));

/** The spawn's sandbox, for the events of a refusal (none here: every import conforms). */
const QUIET = { emit() {} };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const loads: number[] = [];
const firsts: number[] = [];
const laters: number[] = [];
const untypedFirsts: number[] = [];
const wasiParses: number[] = [];
for (let i = 0; i < rounds; i++) {
  const kernel = new Kernel({ cacheDir: false });
  const started = performance.now();
  const handle = await kernel.load(bytes, { name: `probe${i}` });
  loads.push(performance.now() - started);
  const module = loadedModule(handle);
  // A registry of its own: the verdict is worked out afresh (first spawn), then read (later ones).
  const registry = new ProviderRegistry(BUILTIN_PROVIDERS);
  const untyped = new ProviderRegistry(UNTYPED);
  let at: number;
  // Alternating which goes first, so that neither gets the other's warmed caches each round.
  for (const which of i % 2 === 0 ? ['typed', 'untyped'] : ['untyped', 'typed']) {
    at = performance.now();
    checkImportTypes(which === 'typed' ? registry : untyped, module, 'probe', QUIET);
    (which === 'typed' ? firsts : untypedFirsts).push(performance.now() - at);
  }
  at = performance.now();
  for (let k = 0; k < 1000; k++) checkImportTypes(registry, module, 'probe', QUIET);
  laters.push((performance.now() - at) / 1000);
  const copies = freshWasi();
  at = performance.now();
  for (const p of copies) servedTypes(p);
  wasiParses.push(performance.now() - at);
  await kernel.close();
}
// Again once the parser has run (a process's first spawn follows its first load): fresh copies
// of the providers' declaration (four copies: what each cost before they shared one), so that
// nothing is cached.
const t1 = performance.now();
for (const p of [keelLog, keelEvents, keelIpc, keelSelf])
  servedTypes({ ...p, wit: new Uint8Array(keelKernelTypes()) });
const warmParseMs = performance.now() - t1;
const load = median(loads);
const first = median(firsts);
console.log(`component: ${file} (${bytes.length} B), ${rounds} rounds`);
console.log(
  `providers' types parsed once per process: ${parseMs.toFixed(2)} ms before any load (the parser's first run), ${warmParseMs.toFixed(2)} ms after loads`,
);
console.log(`cold load (no cache), median: ${load.toFixed(2)} ms`);
console.log(
  `first spawn's check, median: ${(first * 1000).toFixed(1)} µs (${((first / load) * 100).toFixed(2)}% of a cold load)`,
);
console.log(`later spawn's check, median: ${(median(laters) * 1e6).toFixed(0)} ns`);
const untypedFirst = median(untypedFirsts);
const wasiParse = median(wasiParses);
console.log(
  `first spawn's check with WASI's providers untyped (before), median: ${(untypedFirst * 1000).toFixed(1)} µs; typed minus untyped: ${((first - untypedFirst) * 1000).toFixed(1)} µs (${(((first - untypedFirst) / load) * 100).toFixed(2)}% of a cold load)`,
);
console.log(
  `WASI's ${WASI.length} packages' types parsed once per process: ${wasiParseMs.toFixed(2)} ms the first time, median ${wasiParse.toFixed(2)} ms after (${((wasiParse / load) * 100).toFixed(2)}% of a cold load)`,
);
console.log(
  `a process's first cold load and spawn of it: + ${(first - untypedFirst + wasiParse).toFixed(2)} ms with WASI's types (${(((first - untypedFirst + wasiParse) / load) * 100).toFixed(2)}% of a cold load)`,
);
