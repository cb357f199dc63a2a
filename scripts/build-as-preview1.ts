/**
 * Build the AssemblyScript WASI preview1 guests (guests/as-preview1/<name>/index.ts) into core
 * modules committed beside them (`<name>.wasm`), with the AssemblyScript compiler of
 * node_modules: optimized, deterministic, nothing read from or written to disk but the source
 * and the output. `test/preview1/assemblyscript.test.ts` rebuilds each and compares bytes.
 *
 *   npm run build && node dist/scripts/build-as-preview1.js            # rebuild
 *   npm run build && node dist/scripts/build-as-preview1.js --check    # compare only
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './as-sdk/build.js';

/** Compile one AssemblyScript preview1 program to a core module. */
export async function buildAsPreview1(entry: string): Promise<Uint8Array> {
  const asc = (await import('assemblyscript/asc')).default;
  const stderr = asc.createMemoryStream();
  let output: Uint8Array | undefined;
  const result = await asc.main(
    [
      entry,
      '--outFile',
      'out.wasm',
      '--runtime',
      'stub',
      '--optimizeLevel',
      '3',
      '--shrinkLevel',
      '0',
      // No `env.abort`: an abort traps, and the module imports preview1 only.
      '--use',
      'abort=',
      '--noColors',
    ],
    {
      stdout: asc.createMemoryStream(),
      stderr,
      readFile: (filename: string, baseDir: string) => {
        try {
          return readFileSync(join(baseDir, filename), 'utf8');
        } catch {
          return null;
        }
      },
      writeFile: (filename: string, contents: Uint8Array | string) => {
        if (filename.endsWith('.wasm') && typeof contents !== 'string') output = contents;
      },
      listFiles: () => [],
    },
  );
  if (result.error || !output) {
    throw new Error(`${entry}: asc failed: ${result.error?.message ?? 'no output'}\n${stderr.toString()}`);
  }
  return output;
}

/** The guests, by folder. */
export function asPreview1Guests(root = repoRoot()): { name: string; entry: string; output: string }[] {
  const base = join(root, 'guests/as-preview1');
  if (!existsSync(base)) return [];
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(base, d.name, 'index.ts')))
    .map((d) => ({
      name: d.name,
      entry: join(base, d.name, 'index.ts'),
      output: join(base, d.name, `${d.name}.wasm`),
    }));
}

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const root = repoRoot();
  let stale = 0;
  for (const guest of asPreview1Guests(root)) {
    const bytes = await buildAsPreview1(guest.entry);
    const same = existsSync(guest.output) && Buffer.compare(readFileSync(guest.output), bytes) === 0;
    if (!same && !check) writeFileSync(guest.output, bytes);
    if (!same && check) stale++;
    process.stdout.write(
      `${same ? 'unchanged' : check ? 'stale    ' : 'written  '} ${relative(root, guest.output)}\n`,
    );
  }
  return stale > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
