/**
 * `build-rust-guests --check` rebuilds each Rust guest and compares what is committed: the
 * component and its build record (`<name>.build.json`: the inputs' hash, the output's, the
 * toolchain). Before, only the component was compared, so a record left stale (another
 * toolchain named, inputs changed back and forth) passed the check. The record is compared as
 * data: the formatter's layout of the committed file is not a difference. Needs Debian's rustc
 * with the wasm32 standard library; skipped without it.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { main } from '../../scripts/build-rust-guests.js';

function hasRustWasm(): boolean {
  const rustc = process.env.RUSTC ?? (existsSync('/usr/bin/rustc') ? '/usr/bin/rustc' : 'rustc');
  try {
    const dir = execFileSync(rustc, ['--print', 'target-libdir', '--target', 'wasm32-unknown-unknown'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return existsSync(dir);
  } catch {
    return false;
  }
}

const committed = fileURLToPath(new URL('../../guests/rust/abi/', import.meta.url));
let base: string;
let record: string;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'keel-rust-check-'));
  cpSync(committed, join(base, 'abi'), { recursive: true });
  record = join(base, 'abi', 'abi.build.json');
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** `main(['--check'])` on the copy: its exit status and what it printed. */
async function check(): Promise<{ status: number; out: string }> {
  const writes: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    writes.push(String(chunk));
    return true;
  });
  try {
    return { status: await main(['--check'], base), out: writes.join('') };
  } finally {
    spy.mockRestore();
  }
}

it.skipIf(!hasRustWasm())(
  'a build record that names another toolchain is stale, its layout is not',
  async () => {
    const data = JSON.parse(readFileSync(record, 'utf8')) as Record<string, unknown>;
    // The same data laid out otherwise (one line): unchanged.
    writeFileSync(record, JSON.stringify(data));
    const same = await check();
    expect(same.out).toMatch(/unchanged .*abi\.build\.json/);
    expect(same.status).toBe(0);
    // Another toolchain recorded, the component as it was: stale.
    writeFileSync(record, `${JSON.stringify({ ...data, toolchain: 'rustc 0.0.0' }, null, 2)}\n`);
    const stale = await check();
    expect(stale.out).toMatch(/unchanged .*abi\.wasm/);
    expect(stale.out).toMatch(/stale +.*abi\.build\.json/);
    expect(stale.status).toBe(1);
  },
  120_000,
);
