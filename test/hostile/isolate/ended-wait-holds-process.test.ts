/**
 * Attack: in a worker sandbox with a long deadline, block on a clock's pollable, then be ended
 * mid-wait (terminated; the embedder closes the kernel). The worker waits on the kernel's event
 * loop with a timer for what is left of the wait, capped by the deadline and setTimeout's range;
 * the sandbox's end left that timer armed, so the embedder's process, its work done and its
 * kernel closed, did not exit until the timer fired: the deadline, or 24 days (2^31 - 1 ms).
 * Ending the sandbox now clears its clock's timers. Run in a child process, which must exit on
 * its own promptly after `kernel.close()`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const url = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);

const CHILD = `
import { Kernel } from ${url('../../../dist/host/index.js')};
import { componentFromWat } from ${url('../../../dist/scripts/lib/fixtures.js')};
const WIT = \`package test:hostile;
world ended-wait {
  import wasi:clocks/monotonic-clock@0.2.3;
  import wasi:io/poll@0.2.3;
  export wait: func(d: u64);
}
package wasi:io@0.2.3 { interface poll { resource pollable { block: func(); } } }
package wasi:clocks@0.2.3 { interface monotonic-clock {
  use wasi:io/poll@0.2.3.{pollable};
  type duration = u64;
  subscribe-duration: func(when: duration) -> pollable;
} }
\`;
const WAT = \`(module
  (import "wasi:clocks/monotonic-clock@0.2.3" "subscribe-duration" (func $after (param i64) (result i32)))
  (import "wasi:io/poll@0.2.3" "[method]pollable.block" (func $block (param i32)))
  (memory (export "memory") 1)
  (func (export "wait") (param $d i64) (call $block (call $after (local.get $d)))))\`;
const kernel = new Kernel({ cacheDir: false, placement: 'worker' });
const module = await kernel.load(await componentFromWat(WAT, WIT, 'ended-wait'));
const codes = [];
for (const deadlineMs of [600_000, 2 ** 32]) {
  const sandbox = await kernel.spawn(module, {
    grants: ['wasi:clocks/monotonic-clock', 'wasi:io/poll'],
    limits: { deadlineMs },
  });
  const call = sandbox.invoke('wait', [10n ** 17n]).catch((e) => codes.push(e.code));
  await new Promise((resolve) => setTimeout(resolve, 300));
  sandbox.terminate('done');
  await call;
}
await kernel.close();
const closed = performance.now();
process.on('exit', () => console.log(JSON.stringify({ codes, exitMs: performance.now() - closed })));
`;

it('a worker sandbox ended mid-wait leaves no timer: the process exits after kernel.close()', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-ended-wait-'));
  const script = join(dir, 'child.mjs');
  writeFileSync(script, CHILD);
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [script], { timeout: 30_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`the child did not exit: ${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as { codes: string[]; exitMs: number };
  expect(result.codes).toEqual(['killed', 'killed']);
  // Nothing of the sandboxes holds the event loop (before: 10 minutes, the first deadline).
  expect(result.exitMs).toBeLessThan(5_000);
}, 40_000);
