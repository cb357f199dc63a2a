/**
 * Attack: a `keel up` plan grants a sandbox a writable directory that holds Keel's cache
 * directory. Keel runs what its cache holds (metered modules, the CLI's V8 code cache), so the
 * guest could plant code that runs as Keel the next time `keel` starts. The kernel refuses the
 * grant when the sandbox starts (`invalid-argument`, exit 2, naming the cache and how to
 * proceed); the same plan with the directory read-only runs.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { keel, ROOT, scratchDir } from '../../cli/harness.js';

const dir = scratchDir('plan-grants-keel-cache');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const home = join(dir, 'home');
const cache = join(home, '.cache', 'keel');
mkdirSync(cache, { recursive: true });

function plan(dirPerms: 'read' | 'read-write'): string {
  const file = join(dir, `plan-${dirPerms}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      name: 'cache-grant',
      deadline: '5s',
      sandboxes: [
        {
          name: 'probe',
          module: join(ROOT, 'guests/c/fsprobe/fsprobe.wasm'),
          grants: [
            'wasi:cli/stdout',
            'wasi:cli/stderr',
            'wasi:cli/stdin',
            'wasi:cli/environment',
            'wasi:cli/exit',
            'wasi:clocks/*',
            'wasi:random/*',
            {
              interface: 'wasi:filesystem/preopens',
              scope: { preopens: [{ guest: '/home', host: home, dirPerms }] },
            },
          ],
        },
      ],
    }),
  );
  return file;
}

it('refuses a plan that grants a writable directory holding the cache', () => {
  const r = keel(['up', plan('read-write'), '--cache-dir', cache]);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/invalid-argument.*would let the guest write Keel's cache directory/);
});

it('runs the same plan with the directory read-only', () => {
  const r = keel(['up', plan('read'), '--cache-dir', cache]);
  expect(r.stderr).not.toMatch(/cache directory/);
  expect(r.status).toBe(0);
});
