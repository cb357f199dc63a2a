/**
 * Attack (review11): a component whose one core module is valid with 100,000 imports (V8's limit)
 * and is never instantiated; the meter adds its imports (100,004), so the metered module's compile
 * fails. de79eeb makes Promise.all of the compiles, then awaits setImmediate before awaiting that
 * promise: a compile failing in that turn is an unhandled rejection, which ends a Node 20 process.
 * Run in a child process: every load must be refused as invalid-module and the process live on.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const url = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);
const CHILD = `
import { Kernel } from ${url('../../../dist/host/index.js')};
function leb(n) { const o = []; do { let b = n & 0x7f; n = Math.floor(n / 128); if (n) b |= 0x80; o.push(b); } while (n); return o; }
const A = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const imp = leb(100000);
for (let i = 0; i < 100000; i++)
  imp.push(1, 0x61, 3, A.charCodeAt(i % 62), A.charCodeAt(Math.floor(i / 62) % 62), A.charCodeAt(Math.floor(i / 3844) % 62), 3, 0x7f, 0);
const core = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 2, ...leb(imp.length), ...imp]);
const head = [0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0, 1, ...leb(core.length)];
const bytes = new Uint8Array(head.length + core.length);
bytes.set(head); bytes.set(core, head.length);
const kernel = new Kernel({ cacheDir: false });
const codes = [];
for (let i = 0; i < 6; i++) codes.push(await kernel.load(bytes.slice()).then(() => 'loaded', (e) => e.code));
await kernel.close();
console.log(JSON.stringify({ valid: WebAssembly.validate(core), codes }));
`;

it('a metered module that does not compile is refused, and the process lives on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-metered-compile-'));
  const script = join(dir, 'child.mjs');
  writeFileSync(script, CHILD);
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [script], { timeout: 120_000 }, (error, stdout, stderr) =>
      error
        ? reject(new Error(`the child died: ${error.message}\n${stderr.slice(0, 600)}`))
        : resolve(stdout),
    );
  });
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as { valid: boolean; codes: string[] };
  expect(result).toEqual({ valid: true, codes: Array(6).fill('invalid-module') });
}, 150_000);
