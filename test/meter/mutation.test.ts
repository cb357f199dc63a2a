/**
 * Corrupted input never breaks the rewriter: for thousands of deterministic random mutations of
 * valid modules, `meterModule` either returns or throws a `KeelError` with a one-line message
 * (never `internal`, never another error, never slowly), and whenever the mutated module is
 * still one V8 accepts, the metered output is one too.
 */
import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { KeelError } from '../../host/kernel/errors.js';
import { meterModule } from '../../host/meter/index.js';
import { watFile } from '../helpers/wat.js';

const HOSTILE = 'guests/wat/hostile/meter';

it('mutated modules: typed errors only, valid output for valid input', async () => {
  const dir = new URL(`../../${HOSTILE}/`, import.meta.url);
  const seeds = await Promise.all(
    readdirSync(dir)
      .filter((f) => f.endsWith('.wat'))
      .map((f) => watFile(`${HOSTILE}/${f}`)),
  );
  let state = 0x2545f491;
  const rand = (n: number) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  const counts = { ok: 0, refused: 0, validInput: 0 };
  const problems: string[] = [];
  for (let i = 0; i < 4000; i++) {
    const seed = seeds[rand(seeds.length)]!;
    const bytes = seed.slice();
    const edits = 1 + rand(4);
    for (let e = 0; e < edits; e++) {
      const at = 8 + rand(bytes.length - 8);
      const how = rand(3);
      if (how === 0) bytes[at] = rand(256);
      else if (how === 1) bytes[at] = bytes[at]! ^ (1 << rand(8));
      else bytes[at] = [0x00, 0x0b, 0x80, 0xff, 0x7f, 0x40, 0x02, 0x03][rand(8)]!;
    }
    const input = rand(6) === 0 ? bytes.subarray(0, 8 + rand(bytes.length - 8)) : bytes;
    const start = performance.now();
    try {
      const out = meterModule(input);
      counts.ok++;
      if (WebAssembly.validate(input as Uint8Array<ArrayBuffer>)) {
        counts.validInput++;
        if (!WebAssembly.validate(out as Uint8Array<ArrayBuffer>)) problems.push(`case ${i}: invalid output`);
      }
    } catch (error) {
      counts.refused++;
      if (!(error instanceof KeelError)) problems.push(`case ${i}: ${(error as Error).constructor.name}`);
      else if (error.code === 'internal' || error.message.includes('\n'))
        problems.push(`case ${i}: ${error.message}`);
    }
    if (performance.now() - start > 1000) problems.push(`case ${i}: slow`);
  }
  expect(problems).toEqual([]);
  expect(counts.refused).toBeGreaterThan(100);
  expect(counts.validInput).toBeGreaterThan(100);
});
