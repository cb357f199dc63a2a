/**
 * `npm run build:sdk-guests`: build every guest project (a folder with keel.json) under
 * guests/ with its language's toolchain, writing the component and its build record.
 *
 *   npm run build:sdk-guests                     build all
 *   npm run build:sdk-guests -- guests/sdk-probe/c   build some
 *   npm run build:sdk-guests -- --check          rebuild without writing; exit 1 when a committed
 *                                                component differs from its rebuild
 *
 * Needs the toolchains (docs/sdk-c.md, sdk-rust.md, sdk-js.md); `npm test` does not: it checks
 * the committed build records against the sources instead (test/sdk/records.test.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildProject } from './sdk/build.js';
import { keelRoot, type Project, readProject } from './sdk/project.js';

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
  const named = argv.filter((a) => !a.startsWith('--')).map((a) => resolve(a));
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
        process.stdout.write(
          `${same ? 'identical' : 'differs  '} ${relative(root, output)} (${component.length} bytes)\n`,
        );
        if (!same) failed++;
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
