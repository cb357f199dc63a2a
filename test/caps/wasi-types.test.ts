/**
 * Keel's WASI 0.2 providers declare WASI 0.2's WIT types (wit-types/wasi-*.wasm, built from
 * vendor/wasi-0.2 by scripts/build-wit-types.ts). Those types are checked here against two builds of
 * WASI 0.2.3 that Keel's dependencies ship, written by other toolchains: the `component-type`
 * sections of componentize-js's StarlingMonkey (wit-bindgen 0.38: wasi:cli and wasi:http) and of
 * jco's preview1 adapter. Each interface is compared both ways by Keel's own comparison: a
 * component built against WASI is never refused for types Keel got wrong.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { componentEmbed, componentNew } from '@bytecodealliance/jco-transpile/wasm-tools';
import { describe, expect, it } from 'vitest';
import { importMismatch } from '../../host/abi/conform.js';
import { planComponent } from '../../host/abi/plan.js';
import type { ExternType } from '../../host/abi/types.js';
import type { CapabilityProvider } from '../../host/caps/provider.js';
import { wasiCli } from '../../host/caps/wasi-cli.js';
import { wasiClocks } from '../../host/caps/wasi-clocks.js';
import { wasiFilesystem } from '../../host/caps/wasi-filesystem.js';
import { wasiHttp } from '../../host/caps/wasi-http.js';
import { wasiIo } from '../../host/caps/wasi-io.js';
import { wasiRandom } from '../../host/caps/wasi-random.js';
import { wasiSockets } from '../../host/caps/wasi-sockets.js';
import { servedTypes } from '../../host/kernel/import-types.js';
import { stripVersion } from '../../host/policy/grants.js';
import { sections } from '../../scripts/build-wit-types.js';

const PROVIDERS: CapabilityProvider[] = [
  wasiIo,
  wasiClocks,
  wasiRandom,
  wasiCli,
  wasiFilesystem,
  wasiSockets,
  wasiHttp,
];

/** WASI's unstable functions Keel serves, which builds without the feature do not have. */
const UNSTABLE = ['wasi:cli/exit#exit-with-code'];

/** A file of an installed @bytecodealliance package. */
const packaged = (path: string): URL =>
  new URL(`../../node_modules/@bytecodealliance/${path}`, import.meta.url);

/** The bodies of a core module's custom sections whose name starts with `component-type`. */
function componentTypes(module: Uint8Array): Uint8Array[] {
  const found: Uint8Array[] = [];
  for (const { id, body } of sections(module)) {
    if (id !== 0) continue;
    // A custom section: its name (a LEB128 length, then UTF-8), then its contents.
    let length = 0;
    let at = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = body[at++]!;
      length += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) break;
    }
    const name = new TextDecoder().decode(body.subarray(at, at + length));
    if (name.startsWith('component-type')) found.push(body.slice(at + length));
  }
  return found;
}

/** A toolchain's WASI imports: its encoded world made into a component by wasm-tools, read by Keel. */
async function toolchainImports(file: URL, world: string): Promise<Map<string, ExternType>> {
  const [encoded] = componentTypes(readFileSync(file));
  expect(encoded, `${file} has a component-type section`).toBeDefined();
  const dir = mkdtempSync(join(tmpdir(), 'keel-wasi-types-'));
  try {
    const path = join(dir, 'world.wasm');
    writeFileSync(path, encoded!);
    const component = await componentNew(
      await componentEmbed({ dummy: true, witPath: path, world }),
      undefined,
    );
    return new Map(planComponent(component).imports.map((i) => [i.name, i.type]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function served(iface: string): ExternType | undefined {
  const provider = PROVIDERS.find((p) => p.interfaces.includes(iface));
  return provider && servedTypes(provider)?.get(iface);
}

/** Every interface of `imports` that Keel serves: both ways equal, WASI's unstable functions aside. */
function expectSameTypes(imports: Map<string, ExternType>, expected: number): void {
  let compared = 0;
  for (const [name, type] of imports) {
    const keel = served(stripVersion(name));
    if (!keel) continue;
    compared++;
    expect(importMismatch(name, type, keel), name).toBeUndefined();
    const back = importMismatch(name, keel, type);
    if (back !== undefined)
      expect(UNSTABLE.some((f) => back.startsWith(f.replace('#', `@${name.split('@')[1]}#`)))).toBe(true);
  }
  expect(compared).toBe(expected);
}

describe('the WASI 0.2 types Keel serves', () => {
  it('every WASI provider declares types for each interface it serves', () => {
    for (const provider of PROVIDERS) {
      const types = servedTypes(provider)!;
      expect(types, provider.name).toBeDefined();
      for (const iface of provider.interfaces)
        expect(types.has(iface), `${provider.name}: ${iface}`).toBe(true);
    }
  });

  it('are those componentize-js’s StarlingMonkey was built against (WASI 0.2.3: cli, clocks, filesystem, io, random, sockets, http)', async () => {
    const imports = await toolchainImports(
      packaged('componentize-js/lib/starlingmonkey_embedding.wasm'),
      'bindings',
    );
    expectSameTypes(imports, 29);
  }, 60_000);

  it('are those jco’s preview1 adapter was built against (WASI 0.2.3: every interface but http)', async () => {
    const imports = await toolchainImports(
      packaged('jco/lib/wasi_snapshot_preview1.command.wasm'),
      'command',
    );
    expectSameTypes(imports, 27);
  }, 60_000);
});
