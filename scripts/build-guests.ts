/**
 * `npm run build:guests`: build every AssemblyScript guest under guests/as/ into the component
 * committed beside it (guests/as/<name>/<name>.wasm).
 *
 *   npm run build:guests                 build all guests
 *   npm run build:guests -- hello        build some
 *   npm run build:guests -- --check      fail if a committed component is not what the sources build
 *
 * A guest is a folder with `index.ts` (the AssemblyScript exports) and `world.wit` (its WIT
 * package with one world). An optional `guest.json` overrides build options:
 * `{ "world": "...", "abort": "log" | "trap" }`.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type AbortMode, buildGuest, GuestBuildError, repoRoot } from './as-sdk/build.js';

export interface GuestSpec {
  name: string;
  dir: string;
  entry: string;
  wit: string;
  output: string;
  world?: string;
  abort?: AbortMode;
}

/** The AssemblyScript guests of the repository, by folder name. */
export function listGuests(root = repoRoot()): GuestSpec[] {
  const base = join(root, 'guests/as');
  if (!existsSync(base)) return [];
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(base, d.name, 'index.ts')))
    .map((d) => {
      const dir = join(base, d.name);
      const configFile = join(dir, 'guest.json');
      const config = existsSync(configFile)
        ? (JSON.parse(readFileSync(configFile, 'utf8')) as { world?: string; abort?: AbortMode })
        : {};
      return {
        name: d.name,
        dir,
        entry: join(dir, 'index.ts'),
        wit: join(dir, 'world.wit'),
        output: join(dir, `${d.name}.wasm`),
        ...(config.world ? { world: config.world } : {}),
        ...(config.abort ? { abort: config.abort } : {}),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Build one guest; with `check`, compare with the committed bytes instead of writing them. */
export async function buildOne(
  spec: GuestSpec,
  check: boolean,
): Promise<{ bytes: Uint8Array; status: 'written' | 'unchanged' | 'stale' }> {
  const { component } = await buildGuest({
    entry: spec.entry,
    wit: spec.wit,
    ...(spec.world ? { world: spec.world } : {}),
    ...(spec.abort ? { abort: spec.abort } : {}),
  });
  const committed = existsSync(spec.output) ? readFileSync(spec.output) : undefined;
  const same = committed !== undefined && Buffer.compare(committed, component) === 0;
  if (same) return { bytes: component, status: 'unchanged' };
  if (check) return { bytes: component, status: 'stale' };
  writeFileSync(spec.output, component);
  return { bytes: component, status: 'written' };
}

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const names = argv.filter((a) => !a.startsWith('--'));
  const root = repoRoot();
  const guests = listGuests(root).filter((g) => names.length === 0 || names.includes(g.name));
  const unknown = names.filter((n) => !guests.some((g) => g.name === n));
  if (unknown.length > 0) {
    process.stderr.write(`no such guest: ${unknown.join(', ')} (guests live in guests/as/<name>/)\n`);
    return 2;
  }
  let failed = 0;
  for (const guest of guests) {
    try {
      const { bytes, status } = await buildOne(guest, check);
      process.stdout.write(`${status.padEnd(9)} ${relative(root, guest.output)} (${bytes.length} bytes)\n`);
      if (status === 'stale') failed++;
    } catch (error) {
      failed++;
      const message =
        error instanceof GuestBuildError ? error.message : String((error as Error)?.stack ?? error);
      process.stderr.write(`failed    ${guest.name}: ${message}\n`);
    }
  }
  if (check && failed > 0) process.stderr.write('committed guests are stale: run npm run build:guests\n');
  return failed > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
