/**
 * The WIT types Keel's own providers declare (`CapabilityProvider.wit`), built from the WIT in
 * `wit/` (Keel's packages) and `vendor/wasi-0.2` (WASI's, kept out of `wit/`: the SDKs join every
 * package there into a guest's world, and the npm package ships it): for each package, a component whose imports are every interface Keel serves of it
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
  /** The WIT package's folder, from the repository's root. */
  source: string;
  /** The interfaces its world imports (those Keel's providers serve; those it calls of guests' exports). */
  interfaces: string[];
  /** Packages (folders, from the root) whose types its interfaces use, joined in as nested packages. */
  deps?: string[];
  /** WIT features whose `@unstable` items Keel serves (`exit-with-code`). */
  features?: string[];
}

const WASI = 'vendor/wasi-0.2';

/**
 * keel:kernel: every interface its providers serve, and `handler`, which guests export and the
 * kernel calls (its types are what the kernel checks a guest's export of it against at load).
 */
export const OUTPUTS: TypesOutput[] = [
  {
    file: 'keel-kernel.wasm',
    source: 'wit/keel-kernel',
    interfaces: ['log', 'events', 'ipc', 'self', 'types', 'handler'],
  },
  // WASI 0.2 (vendor/wasi-0.2: WASI's WIT, types only; NOTICE.md there): one component per package Keel serves.
  { file: 'wasi-io.wasm', source: `${WASI}/io`, interfaces: ['error', 'poll', 'streams'] },
  {
    file: 'wasi-clocks.wasm',
    source: `${WASI}/clocks`,
    interfaces: ['wall-clock', 'monotonic-clock'],
    deps: [`${WASI}/io`],
  },
  { file: 'wasi-random.wasm', source: `${WASI}/random`, interfaces: ['random', 'insecure', 'insecure-seed'] },
  {
    file: 'wasi-cli.wasm',
    source: `${WASI}/cli`,
    interfaces: [
      'environment',
      'exit',
      'stdin',
      'stdout',
      'stderr',
      'terminal-input',
      'terminal-output',
      'terminal-stdin',
      'terminal-stdout',
      'terminal-stderr',
      // Not served: a command exports it, and `keel run` calls it (host/kernel/export-types.ts).
      'run',
    ],
    deps: [`${WASI}/io`],
    features: ['cli-exit-with-code'],
  },
  {
    file: 'wasi-filesystem.wasm',
    source: `${WASI}/filesystem`,
    interfaces: ['types', 'preopens'],
    deps: [`${WASI}/io`, `${WASI}/clocks`],
  },
  {
    file: 'wasi-sockets.wasm',
    source: `${WASI}/sockets`,
    interfaces: [
      'network',
      'instance-network',
      'ip-name-lookup',
      'tcp',
      'tcp-create-socket',
      'udp',
      'udp-create-socket',
    ],
    deps: [`${WASI}/io`, `${WASI}/clocks`],
  },
  {
    file: 'wasi-http.wasm',
    source: `${WASI}/http`,
    interfaces: ['types', 'outgoing-handler'],
    deps: [`${WASI}/io`, `${WASI}/clocks`],
  },
];

/** Section ids of a component that declare its types and imports (type, import, alias). */
const DECLARATIONS = new Set([7, 10, 6]);

/**
 * The component's leading type, import and alias sections alone: what a provider's `wit` is read
 * for (its imports' types). wit-component puts them first; the dummy core module, its instances,
 * lowerings and custom sections (names, producers, the WIT's encoding) that follow are dropped:
 * a third to a tenth of the bytes, in the npm package and in each process that reads them.
 */
export function importsOnly(component: Uint8Array): Uint8Array {
  for (const section of sections(component)) {
    if (!DECLARATIONS.has(section.id)) return component.slice(0, section.start);
  }
  return component.slice();
}

/** The sections of a module or component (after its 8-byte preamble): id, where it starts, its body. */
export function* sections(bytes: Uint8Array): Generator<{ id: number; start: number; body: Uint8Array }> {
  let at = 8;
  const leb = (): number => {
    let value = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = bytes[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++]!;
    const size = leb();
    yield { id, start, body: bytes.subarray(at, at + size) };
    at += size;
  }
}

/** Build one output: its component, and its record (hashes of the sources and of the component). */
export async function buildTypes(
  root: string,
  output: TypesOutput,
): Promise<{ bytes: Uint8Array; record: Record<string, string> }> {
  const pkg = readWitPackage(join(root, output.source));
  const world = `world keel-served-types {\n${output.interfaces.map((i) => `  import ${i};`).join('\n')}\n}`;
  const deps = (output.deps ?? []).map((dir) => readWitPackage(join(root, dir)));
  const source = [
    `package ${pkg.name};\n${pkg.body}\n${world}\n`,
    ...deps.map((dep) => `package ${dep.name} {\n${dep.body}\n}\n`),
  ].join('');
  const embedded = await componentEmbed({
    dummy: true,
    witSource: source,
    world: 'keel-served-types',
    ...(output.features ? { features: { tag: 'list', val: output.features } } : {}),
  });
  const bytes = importsOnly(await componentNew(embedded, undefined));
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
