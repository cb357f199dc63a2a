/**
 * What checking a component's imports against its providers' WIT types costs (docs/abi.md,
 * "Import types"): a cold load of a component that imports keel:kernel interfaces, against the
 * check its first spawn makes (the providers' types parsed once per process, then the
 * comparison once per module and kernel), and a later spawn's (a cached verdict). Interleaved
 * in one process: each round loads the component afresh (no cache) in a new kernel.
 *
 *   npm run build && node dist/bench/import-types.js [component.wasm] [rounds]
 */
import { readFileSync } from 'node:fs';
import { BUILTIN_PROVIDERS } from '../host/caps/index.js';
import { keelEvents } from '../host/caps/keel-events.js';
import { keelIpc } from '../host/caps/keel-ipc.js';
import { keelLog } from '../host/caps/keel-log.js';
import { keelSelf } from '../host/caps/keel-self.js';
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

/** The spawn's sandbox, for the events of a refusal (none here: every import conforms). */
const QUIET = { emit() {} };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const loads: number[] = [];
const firsts: number[] = [];
const laters: number[] = [];
for (let i = 0; i < rounds; i++) {
  const kernel = new Kernel({ cacheDir: false });
  const started = performance.now();
  const handle = await kernel.load(bytes, { name: `probe${i}` });
  loads.push(performance.now() - started);
  const module = loadedModule(handle);
  // A registry of its own: the verdict is worked out afresh (first spawn), then read (later ones).
  const registry = new ProviderRegistry(BUILTIN_PROVIDERS);
  let at = performance.now();
  checkImportTypes(registry, module, 'probe', QUIET);
  firsts.push(performance.now() - at);
  at = performance.now();
  for (let k = 0; k < 1000; k++) checkImportTypes(registry, module, 'probe', QUIET);
  laters.push((performance.now() - at) / 1000);
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
