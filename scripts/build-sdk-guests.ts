/**
 * `npm run build:sdk-guests`: build every guest project (a folder with keel.json) under
 * guests/ with its language's toolchain, writing the component and its build record.
 *
 *   npm run build:sdk-guests                     build all
 *   npm run build:sdk-guests -- guests/sdk-probe/c   build some
 *   npm run build:sdk-guests -- --check          rebuild without writing; exit 1 when a committed
 *                                                component differs from its rebuild
 *   npm run build:sdk-guests -- --check --rebuilt DIR
 *                                                and write the rebuilds of toolchains that are not
 *                                                reproducible (componentize-js: JavaScript and
 *                                                TypeScript) under DIR, for the probe test
 *                                                (KEEL_SDK_PROBES=DIR, test/sdk/probe.test.ts)
 *
 * Needs the toolchains (docs/sdk-c.md, sdk-rust.md, sdk-js.md); `npm test` does not: it checks
 * the committed build records against the sources instead (test/sdk/records.test.ts).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildProject } from './sdk/build.js';
import { keelRoot, type Language, type Project, readProject } from './sdk/project.js';

/**
 * Toolchains that do not build the same bytes twice from the same inputs: componentize-js
 * (two builds of the TypeScript probe gave 11,495,449 and 11,495,484 bytes). Their rebuilds are
 * checked by running the probe test on them instead (docs/sdk-js.md).
 */
export const NOT_REPRODUCIBLE: ReadonlySet<Language> = new Set(['js', 'ts']);

/** Every guest project under a folder (a folder holding keel.json), sorted. */
export function listProjects(base = join(keelRoot(), 'guests')): Project[] {
  const found: Project[] = [];
  const walk = (dir: string, depth: number) => {
    if (existsSync(join(dir, 'keel.json'))) {
      found.push(readProject(dir));
      return;
    }
    if (depth === 0) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'target') {
        walk(join(dir, entry.name), depth - 1);
      }
    }
  };
  walk(base, 3);
  return found.sort((a, b) => a.dir.localeCompare(b.dir));
}

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const at = argv.indexOf('--rebuilt');
  const rebuilt = at >= 0 ? argv[at + 1] : undefined;
  if (at >= 0 && !rebuilt) throw new Error('--rebuilt needs a folder');
  const named = argv.filter((a, i) => !a.startsWith('--') && (at < 0 || i !== at + 1)).map((a) => resolve(a));
  const root = keelRoot();
  const projects = named.length > 0 ? named.map((d) => readProject(d)) : listProjects();
  let failed = 0;
  for (const project of projects) {
    const name = relative(root, project.dir);
    try {
      const { component, output } = await buildProject(project, {
        write: !check,
        onProgress: (line) => process.stdout.write(`  ${name}: ${line}\n`),
      });
      if (check) {
        const committed = existsSync(output) ? readFileSync(output) : undefined;
        const same = committed !== undefined && Buffer.compare(committed, component) === 0;
        const where = relative(root, output);
        if (same) {
          process.stdout.write(`identical ${where} (${component.length} bytes)\n`);
        } else if (NOT_REPRODUCIBLE.has(project.language) && rebuilt) {
          const copy = resolve(rebuilt, where);
          mkdirSync(dirname(copy), { recursive: true });
          writeFileSync(copy, component);
          process.stdout.write(
            `rebuilt   ${where} (${component.length} bytes; ${project.language} builds are not reproducible: ` +
              `the probe test runs it from ${copy})\n`,
          );
        } else {
          process.stdout.write(`differs   ${where} (${component.length} bytes)\n`);
          failed++;
        }
      }
    } catch (error) {
      failed++;
      process.stderr.write(`failed    ${name}: ${(error as Error).message}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
