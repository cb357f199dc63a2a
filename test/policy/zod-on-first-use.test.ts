/**
 * Importing the package loads no zod (0.13 s of CPU in every process that imports it: each test
 * file, `keel run`, an embedder): the manifest's, the plan's and the event line's schemas are
 * built on first use, as the providers' scope schemas are (host/caps/schema.ts). Run against
 * the build (dist/host/index.js) in a child process, whose module hooks print each package
 * resolved through `import`, and whose CommonJS cache shows one `require`d.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const hooks = mkdtempSync(join(tmpdir(), 'keel-resolve-hooks-'));
writeFileSync(
  join(hooks, 'hooks.mjs'),
  'export async function resolve(s, c, next) { if (!/^(node:|[./]|file:|data:)/.test(s)) process.stderr.write("resolved " + s + "\\n"); return next(s, c); }',
);
writeFileSync(
  join(hooks, 'register.mjs'),
  "import { register } from 'node:module'; register('./hooks.mjs', import.meta.url);",
);
afterAll(() => rmSync(hooks, { recursive: true, force: true }));

const index = fileURLToPath(new URL('../../dist/host/index.js', import.meta.url));

/** Whether zod was loaded after importing the index (`before`) and after `use` ran (`after`). */
function zodLoaded(use: string): { before: boolean; after: boolean } {
  const script = `
    import { createRequire } from 'node:module';
    const required = () => Object.keys(createRequire(import.meta.url).cache).some((f) => /[\\\\/]node_modules[\\\\/]zod[\\\\/]/.test(f));
    const keel = await import(${JSON.stringify(index)});
    process.stderr.write('required ' + required() + '\\n');
    ${use};
    process.stderr.write('required ' + required() + '\\n');`;
  const r = spawnSync(
    process.execPath,
    ['--import', join(hooks, 'register.mjs'), '--input-type=module', '-e', script],
    {
      encoding: 'utf8',
    },
  );
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stderr.split('\n');
  const at = (mark: number) =>
    lines.slice(0, mark).some((l) => l === 'resolved zod' || l.startsWith('resolved zod/')) ||
    lines[mark] === 'required true';
  const marks = lines.flatMap((l, i) => (l.startsWith('required ') ? [i] : []));
  expect(marks).toHaveLength(2);
  return { before: at(marks[0]!), after: at(marks[1]!) };
}

it('importing the package loads no zod; parsing a manifest does', () => {
  expect(zodLoaded("keel.parseManifest({ name: 'a', version: '1.0.0' })")).toEqual({
    before: false,
    after: true,
  });
});

it('a plan and an event line are validated with zod, loaded then', () => {
  expect(
    zodLoaded("keel.parsePlan({ version: 1, name: 'p', sandboxes: [{ name: 's', module: 's.wasm' }] })"),
  ).toEqual({ before: false, after: true });
  expect(
    zodLoaded(
      "if (keel.eventRecordSchema().safeParse({ ts: 'x' }).success) throw new Error('an invalid event line passed')",
    ),
  ).toEqual({ before: false, after: true });
});
