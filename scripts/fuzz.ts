/**
 * The long differential-fuzzing run: random modules from the seeded generator, plain V8 against
 * every transform in `test/spec/transforms.ts`, until the time is up. Every mismatch (and every
 * generated module V8 rejects) is saved as a regression fixture under `test/fuzz/regressions/`,
 * which `npm test` then replays.
 *
 *     npm run build && node dist/scripts/fuzz.js --seconds 600 [--seed N] [--modules N] [--no-save]
 *
 * Seeds run from `--seed` (default: from the clock, printed) upwards; one module in four uses
 * a larger generator setting. Exits 1 when anything was found.
 */
import { callKind, differential, pinWasmTier, plan } from '../test/fuzz/diff.js';
import { DEFAULT_GEN, type GenOptions, generate } from '../test/fuzz/gen.js';
import { saveFixture } from '../test/fuzz/regressions.js';
import { TRANSFORMS } from '../test/spec/transforms.js';

const LARGE: Partial<GenOptions> = { maxFuncs: 12, maxStmts: 6, maxDepth: 6, maxParams: 6, maxResults: 4 };

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function main(): void {
  pinWasmTier();
  const seconds = Number(arg('seconds') ?? 60);
  const maxModules = Number(arg('modules') ?? Number.POSITIVE_INFINITY);
  const start = Number(arg('seed') ?? Date.now() % 0x7fffffff);
  const save = !process.argv.includes('--no-save');
  console.log(
    `fuzz: seeds from ${start}, ${seconds} s, transforms: ${TRANSFORMS.map((t) => t.name).join(', ')} (node ${process.version})`,
  );
  const deadline = Date.now() + seconds * 1000;
  let modules = 0;
  let calls = 0;
  let found = 0;
  const kinds: Record<string, number> = {};
  let lastReport = Date.now();
  for (let seed = start; Date.now() < deadline && modules < maxModules; seed = (seed + 1) >>> 0) {
    const options = seed % 4 === 3 ? LARGE : {};
    const m = generate(seed, options);
    modules++;
    const name = `seed-${seed}`;
    if (!WebAssembly.validate(m.bytes as Uint8Array<ArrayBuffer>)) {
      found++;
      console.log(`seed ${seed}: the generator made an invalid module`);
      if (save) saveFixture({ name, seed, found: new Date().toISOString(), calls: [] }, m.bytes);
      continue;
    }
    const c = plan(m.bytes, seed);
    calls += c.length;
    const r = differential(m.bytes, c, TRANSFORMS);
    for (const line of r.plain) kinds[callKind(line)] = (kinds[callKind(line)] ?? 0) + 1;
    if (r.mismatches.length) {
      found++;
      const [first] = r.mismatches;
      console.log(`seed ${seed} (${JSON.stringify({ ...DEFAULT_GEN, ...options })}): mismatch`);
      console.log(`  plain:       ${first!.plain}\n  ${first!.transform}: ${first!.transformed}`);
      if (save) {
        const file = saveFixture(
          { name, seed, found: new Date().toISOString(), mismatch: first!, calls: c },
          m.bytes,
        );
        console.log(`  saved ${file}`);
      }
    }
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      console.log(`  ${modules} modules, ${calls} calls, ${found} found`);
    }
  }
  console.log(`fuzz: ${modules} modules, ${calls} calls, ${found} found; outcomes on plain V8:`);
  for (const [k, n] of Object.entries(kinds).sort((a, b) => b[1] - a[1])) console.log(`  ${n} ${k}`);
  if (found) process.exitCode = 1;
}

main();
