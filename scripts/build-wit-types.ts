/**
 * The WIT types Keel's own providers declare (`CapabilityProvider.wit`), built from the WIT in
 * `wit/`: for each package, a component whose imports are every interface Keel serves of it
 * (wasm-tools, through jco-transpile, makes a dummy module for a world importing them and wraps
 * it: `componentEmbed({ dummy: true })`, `componentNew`). The run path reads the committed
 * component with Keel's own parser (host/caps/wit-types.ts); no code is made from it. Each
 * output is recorded in `wit-types/types.json` with the sha256 of its WIT sources and of the
 * component; `--check` rebuilds and compares (.ci/run), and test/caps checks the record.
 *
 *   npm run build && node dist/scripts/build-wit-types.js          # rebuild
 *   npm run build && node dist/scripts/build-wit-types.js --check  # verify the committed outputs
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { componentEmbed, componentNew } from '@bytecodealliance/jco-transpile/wasm-tools';
import { repoRoot } from './as-sdk/build.js';
import { sha256 } from './build-c-guests.js';
import { readWitPackage } from './sdk/wit/load.js';

export interface TypesOutput {
  /** The component's file under wit-types/. */
  file: string;
  /** The WIT package folder under wit/. */
  source: string;
  /** The interfaces its world imports (those Keel's providers serve; those it calls of guests' exports). */
  interfaces: string[];
}

/**
 * keel:kernel: every interface its providers serve, and `handler`, which guests export and the
 * kernel calls (its types are what the kernel checks a guest's export of it against at load).
 */
export const OUTPUTS: TypesOutput[] = [
  {
    file: 'keel-kernel.wasm',
    source: 'keel-kernel',
    interfaces: ['log', 'events', 'ipc', 'self', 'types', 'handler'],
  },
];

/** Build one output: its component, and its record (hashes of the sources and of the component). */
export async function buildTypes(
  root: string,
  output: TypesOutput,
): Promise<{ bytes: Uint8Array; record: Record<string, string> }> {
  const pkg = readWitPackage(join(root, 'wit', output.source));
  const world = `world keel-served-types {\n${output.interfaces.map((i) => `  import ${i};`).join('\n')}\n}`;
  const source = `package ${pkg.name};\n${pkg.body}\n${world}\n`;
  const embedded = await componentEmbed({ dummy: true, witSource: source, world: 'keel-served-types' });
  const bytes = await componentNew(embedded, undefined);
  return { bytes, record: { package: pkg.name, sources: sha256(source), component: sha256(bytes) } };
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const root = repoRoot();
  const recordFile = join(root, 'wit-types', 'types.json');
  const records: Record<string, Record<string, string>> = {};
  let stale = 0;
  for (const output of OUTPUTS) {
    const { bytes, record } = await buildTypes(root, output);
    records[output.file] = record;
    const target = join(root, 'wit-types', output.file);
    if (check) {
      let committed: Uint8Array | undefined;
      try {
        committed = readFileSync(target);
      } catch {}
      if (!committed || sha256(committed) !== record.component) {
        console.error(`stale: wit-types/${output.file} (rebuild: node dist/scripts/build-wit-types.js)`);
        stale++;
      }
    } else {
      writeFileSync(target, bytes);
    }
  }
  if (check) {
    const committed = JSON.parse(readFileSync(recordFile, 'utf8')) as unknown;
    if (JSON.stringify(committed) !== JSON.stringify(records)) {
      console.error('stale: wit-types/types.json');
      stale++;
    }
    if (stale > 0) process.exit(1);
    console.log(`wit-types: ${OUTPUTS.length} component(s) as committed`);
  } else {
    writeFileSync(recordFile, `${JSON.stringify(records, null, 2)}\n`);
    console.log(`wit-types: wrote ${OUTPUTS.map((o) => o.file).join(', ')}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
