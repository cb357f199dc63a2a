/**
 * The rewriter on real, large modules that ship inside our dependencies: StarlingMonkey (the
 * JavaScript engine inside componentize-js components, 9.6 MB) and wasm-tools. The output must
 * validate; throughput (MB/s) and what metering adds to V8's compile time are printed.
 *
 *   npx vitest run test/meter/real-modules.test.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { meterModule } from '../../host/meter/index.js';
import { fastest } from './support.js';

const MODULES = [
  'node_modules/@bytecodealliance/componentize-js/lib/starlingmonkey_embedding.wasm',
  'node_modules/@bytecodealliance/jco/obj/wasm-tools.core.wasm',
];

describe('real modules', () => {
  for (const path of MODULES) {
    const url = new URL(`../../${path}`, import.meta.url);
    it.skipIf(!existsSync(url))(`meters ${path.split('/').pop()} into a valid module`, async () => {
      const bytes = new Uint8Array(readFileSync(url));
      const cold = fastest(() => meterModule(bytes), 1);
      const warm = fastest(() => meterModule(bytes), 3);
      const metered = meterModule(bytes);
      expect(WebAssembly.validate(metered as Uint8Array<ArrayBuffer>)).toBe(true);
      const compilePlain = await timeAsync(() => WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>));
      const compileMetered = await timeAsync(() => WebAssembly.compile(metered as Uint8Array<ArrayBuffer>));
      const mb = bytes.length / 1e6;
      console.log(
        `${path.split('/').pop()}: ${mb.toFixed(1)} MB -> ${(metered.length / 1e6).toFixed(1)} MB; ` +
          `meter ${cold.toFixed(0)} ms cold (${(mb / (cold / 1000)).toFixed(0)} MB/s), ` +
          `${warm.toFixed(0)} ms warm (${(mb / (warm / 1000)).toFixed(0)} MB/s); ` +
          `WebAssembly.compile ${compilePlain.toFixed(0)} ms plain, ${compileMetered.toFixed(0)} ms metered`,
      );
      // Generous floor: a regression to a superlinear or byte-at-a-time pass shows here.
      expect(mb / (warm / 1000)).toBeGreaterThan(2);
    });
  }
});

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}
