/**
 * What metered compute pays for, kernel by kernel: the compute bench's kernels (`bench/compute`)
 * run plain, metered (Keel's default), and metered with two parts of the metering taken out of
 * the metered module's text, in one process, interleaved:
 *
 * - `no-resume`: every out-of-line refill at a loop header (`global.set $fuel; call fuel_slice;
 *   global.get $fuel; local.set; br $loop`, which resumes the guest) replaced by `unreachable`. That is about what the code was before slices (docs/fuel.md,
 *   "Slices"): a path that leaves for good, which V8 does not need to keep live values for.
 * - `no-check`: every check (`local.get $fuel; i64.const 0; i64.lt_s; br_if`) removed, the
 *   charges kept: what the subtractions alone cost.
 *
 * Neither is a valid metering (the counter is given the whole budget, `sliceFuel` = 2^52, so no
 * refill is needed while measuring); they say where the time of `metered` goes.
 *
 *     npm run build && node dist/bench/compute/refill.js [--rounds 11] [--filter REGEX]
 *     npm run build && node --experimental-wasm-branch-hinting dist/bench/compute/refill.js --hints
 *
 * `--hints` adds `hinted`: the metered module as it is, with each check hinted not taken (a
 * `metadata.code.branch_hint` section), which V8 11.3 reads only behind the flag above.
 *
 * Method as bench/compute/run.ts: every variant checked against plain's result, warm-up calls,
 * then rounds that time one call of each variant in rotating order, process CPU time, ratio of
 * medians to plain. The load average is printed before and after.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import wabtInit from 'wabt';
import { createMeterRuntime, meterModule } from '../../host/meter/index.js';
import { repoPath } from '../lib/paths.js';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const ROUNDS = Number(flag('--rounds') ?? 11);
const FILTER = new RegExp(flag('--filter') ?? '.');
const FEATURES = {
  simd: true,
  bulk_memory: true,
  mutable_globals: true,
  sat_float_to_int: true,
  sign_extension: true,
  multi_value: true,
  tail_call: true,
  exceptions: true,
  reference_types: true,
};

/** A refill out of line: right after the `end` of its block (a counted loop's chunks call `fuel_slice` too, after their own count). */
const REFILL =
  /(\bend\n\s*local\.get \$\w+\n\s*)global\.set \$keel\.fuel\n\s*call \$keel\.fuel_slice\n\s*global\.get \$keel\.fuel\n\s*local\.set \$\w+\n\s*br \$\w+/g;
const CHECK = /local\.get \$\w+\n\s*i64\.const 0\n\s*i64\.lt_s\n\s*br_if \$\w+/g;

type Run = (n: number) => number;

/** With `--hints`: a fifth variant, the metered module with every check hinted unlikely. */
const HINTS = args.includes('--hints');

function leb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = bytes[at++]!;
    value |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  return [value >>> 0, at];
}

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return out;
}

/**
 * The metered module with a `metadata.code.branch_hint` section before its code: every
 * `i64.const 0; i64.lt_s; br_if` (the checks; a byte pattern, found by scanning each body, so a
 * rare false match inside an immediate hints some other `br_if`, which changes no result) hinted
 * not taken. V8 11.3 reads the section only under `--experimental-wasm-branch-hinting`. The
 * meter's own imports are its only imported functions (the kernels import `env.abort` at most).
 */
function hinted(bytes: Uint8Array, importedFunctions: number): Uint8Array {
  const out: number[] = [...bytes.subarray(0, 8)];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at]!;
    const [size, start] = leb(bytes, at + 1);
    const end = start + size;
    if (id === 10) {
      const [count, first] = leb(bytes, start);
      let p = first;
      const functions: [number, number[]][] = [];
      for (let i = 0; i < count; i++) {
        const [length, body] = leb(bytes, p);
        const offsets: number[] = [];
        for (let k = body; k + 3 < body + length; k++) {
          if (bytes[k] === 0x42 && bytes[k + 1] === 0 && bytes[k + 2] === 0x53 && bytes[k + 3] === 0x0d) {
            offsets.push(k + 3 - body);
          }
        }
        if (offsets.length > 0) functions.push([importedFunctions + i, offsets]);
        p = body + length;
      }
      const payload = uleb(functions.length);
      for (const [index, offsets] of functions) {
        payload.push(...uleb(index), ...uleb(offsets.length));
        for (const offset of offsets) payload.push(...uleb(offset), 1, 0);
      }
      const name = [...Buffer.from('metadata.code.branch_hint')];
      const content = [...uleb(name.length), ...name, ...payload];
      out.push(0, ...uleb(content.length), ...content);
    }
    out.push(...bytes.subarray(at, end));
    at = end;
  }
  return new Uint8Array(out);
}

function instantiate(bytes: Uint8Array, metered: boolean): Run {
  const abort = () => {
    throw new Error('abort() called by an AssemblyScript kernel');
  };
  const imports: WebAssembly.Imports = { env: { abort } };
  if (metered) {
    const meter = createMeterRuntime({
      fuel: Number.MAX_SAFE_INTEGER,
      memoryBytes: 2 ** 32,
      tableElements: 10_000_000,
      sliceFuel: 2 ** 52,
    });
    imports.keel = meter.imports.keel as unknown as WebAssembly.ModuleImports;
  }
  const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  return new WebAssembly.Instance(module, imports).exports.run as Run;
}

function cpuMs(run: Run, n: number): number {
  const start = process.cpuUsage();
  run(n);
  const spent = process.cpuUsage(start);
  return (spent.user + spent.system) / 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

async function main(): Promise<void> {
  const wabt = await wabtInit();
  const text = (bytes: Uint8Array) => {
    const module = wabt.readWasm(bytes, { readDebugNames: true, ...FEATURES });
    module.generateNames();
    module.applyNames();
    const out = module.toText({ foldExprs: false });
    module.destroy();
    return out;
  };
  const binary = (source: string) => {
    const module = wabt.parseWat('variant.wat', source, FEATURES);
    module.resolveNames();
    module.validate();
    const out = new Uint8Array(module.toBinary({}).buffer);
    module.destroy();
    return out;
  };
  const spec = JSON.parse(readFileSync(repoPath('bench/compute/kernels.json'), 'utf8')) as {
    kernels: { name: string; n: number }[];
  };
  console.log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}; ${ROUNDS} rounds`,
  );
  console.log(
    `| kernel | metered | no-resume | no-check |${HINTS ? ' hinted |' : ''} refills found | checks found |`,
  );
  console.log(`| --- | ---: | ---: | ---: |${HINTS ? ' ---: |' : ''} ---: | ---: |`);
  const logs: number[][] = [];
  for (const lang of ['c', 'as']) {
    for (const { name, n } of spec.kernels) {
      const subject = `${lang}-${name}`;
      if (!FILTER.test(subject)) continue;
      const bytes = new Uint8Array(readFileSync(repoPath(`bench/compute/wasm/${subject}.wasm`)));
      const metered = meterModule(bytes);
      const source = text(metered);
      const refills = source.match(REFILL)?.length ?? 0;
      const checks = source.match(CHECK)?.length ?? 0;
      const variants: [string, Run][] = [
        ['plain', instantiate(bytes, false)],
        ['metered', instantiate(metered, true)],
        ['no-resume', instantiate(binary(source.replace(REFILL, '$1unreachable')), true)],
        ['no-check', instantiate(binary(source.replace(CHECK, 'nop')), true)],
      ];
      if (HINTS) {
        const imported = WebAssembly.Module.imports(
          new WebAssembly.Module(metered as Uint8Array<ArrayBuffer>),
        );
        const functions = imported.filter((i) => i.kind === 'function').length;
        variants.push(['hinted', instantiate(hinted(metered, functions), true)]);
      }
      const results = variants.map(([, run]) => run(n));
      if (new Set(results).size !== 1) throw new Error(`${subject}: results differ: ${results.join(', ')}`);
      for (let i = 0; i < 5; i++) for (const [, run] of variants) run(n);
      const times: number[][] = variants.map(() => []);
      for (let round = 0; round < ROUNDS; round++) {
        for (let j = 0; j < variants.length; j++) {
          const v = (j + round) % variants.length;
          times[v]!.push(cpuMs(variants[v]![1], n));
        }
      }
      const base = median(times[0]!);
      const ratios = times.slice(1).map((t) => median(t) / base);
      logs.push(ratios.map(Math.log));
      console.log(`| ${subject} | ${ratios.map((r) => r.toFixed(3)).join(' | ')} | ${refills} | ${checks} |`);
    }
  }
  const geomean = (i: number) => Math.exp(logs.reduce((s, l) => s + l[i]!, 0) / logs.length);
  const columns = HINTS ? [0, 1, 2, 3] : [0, 1, 2];
  console.log(`| geometric mean | ${columns.map((i) => geomean(i).toFixed(3)).join(' | ')} | | |`);
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
}

await main();
