/**
 * A sweep of the rewriter over every module of the WebAssembly spec test suite
 * (`../shared/spec-testsuite`, with `legacy/` exceptions and `proposals/`) that wabt parses
 * and V8 accepts: each must meter into a module V8
 * accepts, and, for modules without imports, calling each export (default arguments) must give
 * what plain V8 gives. This is not the spec harness (assertion by assertion, in test/spec); it
 * is a cheap check that no construct in the suite trips the rewriter.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { createMeterRuntime, meterModule } from '../../host/meter/index.js';
import { WAT_ALL_FEATURES } from '../../scripts/lib/wat.js';

const SUITE = new URL('../../../shared/spec-testsuite/', import.meta.url);

const FEATURES = { ...WAT_ALL_FEATURES, extended_const: true };

/** The top-level `(module ...)` forms of a script, text only (binary and quoted ones skipped). */
function* moduleForms(text: string): Generator<string> {
  let i = 0;
  for (;;) {
    i = text.indexOf('(module', i);
    if (i < 0) return;
    let depth = 0;
    let j = i;
    let inString = false;
    for (; j < text.length; j++) {
      const c = text[j];
      if (inString) {
        if (c === '\\') j++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === ';' && text[j + 1] === ';') {
        j = text.indexOf('\n', j);
        if (j < 0) j = text.length;
      } else if (c === '(' && text[j + 1] === ';') j = text.indexOf(';)', j) + 1;
      else if (c === '(') depth++;
      else if (c === ')' && --depth === 0) break;
    }
    const form = text.slice(i, j + 1);
    i = j + 1;
    if (!/^\(module\s+(\$\S+\s+)?(binary|quote|definition|instance)/.test(form)) yield form;
  }
}

function callAll(bytes: Uint8Array, imports: WebAssembly.Imports): string[] {
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), imports);
  } catch (error) {
    return [`instantiate: ${(error as Error).message}`];
  }
  return Object.entries(instance.exports)
    .filter(([, value]) => typeof value === 'function')
    .map(([name, fn]) => {
      try {
        return `${name}=${String((fn as () => unknown)()).replace(/function \d+/g, 'function')}`;
      } catch (error) {
        return `${name}!${(error as Error).constructor.name}: ${(error as Error).message}`;
      }
    });
}

describe('spec suite modules', () => {
  it.skipIf(!existsSync(SUITE))('all meter into valid modules that compute the same', async () => {
    const wabt = await wabtInit();
    let metered = 0;
    let compared = 0;
    const failures: string[] = [];
    const files = readdirSync(SUITE, { recursive: true }) as string[];
    for (const file of files.filter((f) => f.endsWith('.wast'))) {
      for (const form of moduleForms(readFileSync(new URL(file, SUITE), 'utf8'))) {
        let bytes: Uint8Array;
        try {
          const parsed = wabt.parseWat(file, form, FEATURES);
          parsed.resolveNames();
          parsed.validate();
          bytes = new Uint8Array(parsed.toBinary({ write_debug_names: true }).buffer);
          parsed.destroy();
        } catch {
          continue; // syntax wabt 1.0.39 does not know, or a module meant to be invalid
        }
        if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) continue;
        let out: Uint8Array;
        try {
          out = meterModule(bytes);
        } catch (error) {
          failures.push(`${file}: ${(error as Error).message}`);
          continue;
        }
        if (!WebAssembly.validate(out as Uint8Array<ArrayBuffer>)) {
          failures.push(`${file}: metered module does not validate`);
          continue;
        }
        metered++;
        if (WebAssembly.Module.imports(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)).length > 0)
          continue;
        // Metered first, with bounded fuel: an export that loops forever would hang plain V8.
        const meter = createMeterRuntime({
          fuel: 10_000_000,
          memoryBytes: 2 ** 32,
          tableElements: 10_000_000,
        });
        const got = callAll(out, { keel: meter.imports.keel });
        if (meter.exhausted()) continue;
        const want = callAll(bytes, {});
        compared++;
        if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${file}: ${got} != ${want}`);
      }
    }
    console.log(`spec suite: ${metered} modules metered and valid, ${compared} compared export by export`);
    expect(failures).toEqual([]);
    expect(metered).toBeGreaterThan(1000);
  });
});
