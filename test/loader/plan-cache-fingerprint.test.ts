/**
 * The disk cache's entries (metered modules and the component's plan) are keyed by the planner's
 * fingerprint, which `npm run build` stamps into dist/host/abi/plan-fingerprint.js
 * (scripts/stamp-planner.ts): the digest of the compiled modules the loader, the plan codec, the
 * metering hook and the import and export type checks import. A plan cached by other code must
 * never be read, so: the build's stamp is the digest of the build's own code (a build that
 * skipped or lost the stamp fails here), a change to any module the planner runs makes another
 * fingerprint, and the built kernel does read its own plans. Run after `npm run build`.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { plannerFiles, plannerFingerprint } from '../../scripts/stamp-planner.js';
import { ROOT, scratchDir } from '../cli/harness.js';
import { ADDER_WAT, ADDER_WIT, componentFromWat, tempCacheDir } from '../helpers/components.js';

const host = join(ROOT, 'dist/host');
const dir = scratchDir('plan-fingerprint');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What must be hashed: the code whose change changes a plan, a metered module or a check on them. */
const REQUIRED = [
  'abi/parse.js',
  'abi/plan.js',
  'abi/resolve.js',
  'abi/types.js',
  'abi/layout.js',
  'abi/plan-codec.js',
  'loader/loader.js',
  'loader/core-info.js',
  'loader/disk-cache.js',
  'kernel/import-types.js',
  'kernel/export-types.js',
  'caps/wit-types.js',
  'meter/index.js',
  'meter/module.js',
  'meter/fuel.js',
];

describe('plan-cache-fingerprint', () => {
  it('the build stamped the digest of its own planner', () => {
    const stamped = readFileSync(join(host, 'abi/plan-fingerprint.js'), 'utf8');
    expect(stamped).toContain(`'${plannerFingerprint(host)}'`);
    expect(plannerFingerprint(host)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes the parser, the planner, the codec, the type checks and the meter', () => {
    const files = plannerFiles(host).map((f) => relative(host, f));
    for (const f of REQUIRED) expect(files).toContain(f);
    expect(files).not.toContain('abi/plan-fingerprint.js');
  });

  it('a change to any module the planner runs changes the fingerprint; another module does not', () => {
    const copy = join(dir, 'host');
    mkdirSync(copy, { recursive: true });
    cpSync(host, copy, { recursive: true, filter: (source) => !source.endsWith('.map') });
    const base = plannerFingerprint(copy);
    for (const f of plannerFiles(copy)) {
      const text = readFileSync(f, 'utf8');
      writeFileSync(f, `${text}\n;`);
      expect(plannerFingerprint(copy), relative(copy, f)).not.toBe(base);
      writeFileSync(f, text);
    }
    expect(plannerFingerprint(copy)).toBe(base);
    // A new module the planner comes to import is hashed with it.
    writeFileSync(join(copy, 'abi/new-check.js'), 'export const check = 1;\n');
    const plan = join(copy, 'abi/plan.js');
    const text = readFileSync(plan, 'utf8');
    writeFileSync(plan, `import { check } from './new-check.js';\n${text}`);
    const withImport = plannerFingerprint(copy);
    writeFileSync(join(copy, 'abi/new-check.js'), 'export const check = 2;\n');
    expect(plannerFingerprint(copy)).not.toBe(withImport);
    // The stamp itself and the CLI are not the planner.
    writeFileSync(plan, text);
    writeFileSync(join(copy, 'abi/plan-fingerprint.js'), "export const PLANNER_FINGERPRINT = 'x';\n");
    writeFileSync(join(copy, 'cli/main.js'), `${readFileSync(join(copy, 'cli/main.js'), 'utf8')}\n;`);
    expect(plannerFingerprint(copy)).toBe(base);
  });

  it('the built kernel reads the plan it cached', async () => {
    const { Kernel } = (await import(
      pathToFileURL(join(host, 'index.js')).href
    )) as typeof import('../../host/index.js');
    const bytes = await componentFromWat(ADDER_WAT, ADDER_WIT, 'adder');
    const cacheDir = tempCacheDir();
    const stats = [];
    for (let i = 0; i < 2; i++) {
      const kernel = new Kernel({ cacheDir });
      const module = await kernel.load(bytes);
      expect(await (await kernel.spawn(module)).call('docs:adder/add#add', 2, 3)).toBe(5);
      stats.push({ ...kernel.loaderStats });
      await kernel.close();
    }
    expect(stats[0]).toMatchObject({ plans: 1, planHits: 0 });
    expect(stats[1]).toMatchObject({ plans: 0, planHits: 1, diskHits: 1 });
  });
});
