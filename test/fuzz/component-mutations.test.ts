/**
 * Mutated components: every component of the conformance scripts (test/conformance), made into
 * bytes once, then cut short and flipped byte by byte (seeded), and each mutant handed to
 * `kernel.load` and, when it loads, `kernel.spawn`. Nothing a component's bytes say may make Keel
 * throw anything but a typed error: a load refuses as `invalid-module`, a spawn fails with a
 * code of the catalog other than `internal`, and no mutant holds the thread (each load and spawn
 * timed). `KEEL_MUTATION_SEED` (default 1) replays a run; `KEEL_MUTATIONS` (default 1) is the
 * mutants of each kind per component.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { isKeelError, Kernel } from '../../host/index.js';
import { parse } from '../../scripts/lib/wasm-tools.js';
import { binaryForm, desugar } from '../conformance/runner.js';
import { head, type List, readCommands, type SExpr } from '../conformance/wast.js';
import { Rng } from './rng.js';

const SEED = Number(process.env.KEEL_MUTATION_SEED ?? 1);
const PER_KIND = Number(process.env.KEEL_MUTATIONS ?? 1);
/** A load or spawn of a few kilobytes taking longer than this is a hang (the machine is shared). */
const SLOW_MS = 5_000;

const WHERE = /\((?:[^()]|\([^()]*\))+ section\)|core module|not a WebAssembly binary/;

const CONFORMANCE = join(import.meta.dirname, '..', 'conformance');

function scripts(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith('.wast')) out.push(join(dir, entry.name));
    }
  };
  walk(join(CONFORMANCE, 'component-model'));
  walk(join(CONFORMANCE, 'wasmtime'));
  return out.sort();
}

/** Each component of a script (valid or not) the text parser makes bytes of. */
async function components(file: string): Promise<Uint8Array[]> {
  const source = readFileSync(file, 'utf8');
  const out: Uint8Array[] = [];
  for (const c of readCommands(source)) {
    const kind = head(c.expr);
    let text: string | undefined;
    let list: List | undefined;
    if (kind === 'component') {
      list = c.expr;
      text = c.text.replace(/^\(component\s+definition\b/, '(component');
    } else if (
      kind === 'assert_invalid' ||
      kind === 'assert_unlinkable' ||
      kind === 'assert_trap' ||
      kind === 'assert_malformed'
    ) {
      const inner: SExpr | undefined = c.expr.items[1];
      if (inner?.kind === 'list' && head(inner) === 'component') {
        list = inner;
        text = source.slice(inner.start, inner.end);
      }
    }
    if (list === undefined || text === undefined) continue;
    const binary = binaryForm(list);
    if (binary) {
      out.push(binary);
      continue;
    }
    if (/^\(component\s+(quote|instance)\b/.test(text)) continue;
    try {
      out.push(await parse(desugar(text)));
    } catch {
      // Syntax newer than the parser reads: no bytes (the conformance test skips it too).
    }
  }
  return out;
}

function mutants(bytes: Uint8Array, rng: Rng): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < PER_KIND; i++) out.push(bytes.slice(0, rng.int(bytes.length)));
  for (let i = 0; i < PER_KIND; i++) {
    const m = bytes.slice();
    // Past the 8-byte header, mostly: a bad header is one refusal, already in test/loader.
    const at = bytes.length > 8 ? 8 + rng.int(bytes.length - 8) : rng.int(bytes.length);
    m[at] = rng.chance(0.5) ? m[at]! ^ (1 << rng.int(8)) : rng.int(256);
    out.push(m);
  }
  return out;
}

it('every mutant of every conformance component fails typed, or loads and spawns', async () => {
  const kernel = new Kernel({ cacheDir: false });
  const rng = new Rng(SEED);
  const outcomes = new Map<string, number>();
  const problems: string[] = [];
  const tally = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
  let n = 0;
  try {
    for (const file of scripts()) {
      const name = file.slice(CONFORMANCE.length + 1);
      for (const bytes of await components(file)) {
        for (const m of mutants(bytes, rng)) {
          const where = `${name}, mutant ${++n} (seed ${SEED})`;
          let t = performance.now();
          let module: Awaited<ReturnType<Kernel['load']>>;
          try {
            module = await kernel.load(m, { name: `m${n}` });
          } catch (error) {
            if (isKeelError(error) && error.code === 'invalid-module') {
              tally('load: invalid-module');
              // A refusal says where: the component's section, or the core module V8 refused.
              if (!WHERE.test(error.message))
                problems.push(`${where}: refused without saying where: ${error.message}`);
            } else problems.push(`${where}: load threw ${describe(error)}`);
            continue;
          } finally {
            const ms = performance.now() - t;
            if (ms > SLOW_MS) problems.push(`${where}: load took ${ms.toFixed(0)} ms`);
          }
          tally('loaded');
          t = performance.now();
          try {
            const sandbox = await kernel.spawn(module);
            tally('spawned');
            sandbox.terminate();
          } catch (error) {
            if (isKeelError(error) && error.code !== 'internal') tally(`spawn: ${error.code}`);
            else problems.push(`${where}: spawn threw ${describe(error)}`);
          } finally {
            const ms = performance.now() - t;
            if (ms > SLOW_MS) problems.push(`${where}: spawn took ${ms.toFixed(0)} ms`);
          }
        }
      }
    }
  } finally {
    await kernel.close();
  }
  console.log(`component mutants (seed ${SEED}): ${n}`, Object.fromEntries(outcomes));
  expect(problems).toEqual([]);
  expect(n).toBeGreaterThan(1_000);
}, 600_000);

function describe(error: unknown): string {
  if (isKeelError(error)) return `${error.code}: ${error.message.split('\n')[0]}`;
  return `${error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error)}`;
}
