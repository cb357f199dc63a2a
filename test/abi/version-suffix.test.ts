/**
 * Import and export names with attributes (Binary.md's `nameattributes` form 0x02): a version
 * suffix (🔗) completes an interface name's `canonversion` (`a:b/c@0.2` and `.6`) and is then
 * ignored, as the model says: the name is `a:b/c@0.2`, which instantiation matches and the host's
 * providers serve (by interface, the version ignored). An external id (🏷️) is dropped; an
 * `implements` (🏷️) is refused as unsupported (Keel would not serve the import as that interface).
 * Before, every 0x02 name was refused as an unsupported name form. The model's rules as
 * validation/version-suffix.wast holds them run in test/conformance.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kernel } from '../../host/index.js';
import { loadOutcome } from '../helpers/components.js';

let kernel: Kernel;
beforeAll(() => {
  kernel = new Kernel({ cacheDir: false });
});
afterAll(() => kernel.close());

const utf8 = new TextEncoder();

function sized(bytes: number[] | Uint8Array): number[] {
  if (bytes.length > 127) throw new Error('short names only');
  return [bytes.length, ...bytes];
}

/** `0x02 name vec(attribute)`: attributes as [kind, value]. */
function attributed(name: string, attributes: [number, string][]): number[] {
  return [
    0x02,
    ...sized(utf8.encode(name)),
    attributes.length,
    ...attributes.flatMap(([kind, value]) => [kind, ...sized(utf8.encode(value))]),
  ];
}

/** A component importing one empty instance under `name` (its encoded bytes). */
function importing(name: number[]): Uint8Array {
  const types = [0x01, 0x42, 0x00]; // 1 type: an empty instance type
  const imports = [0x01, ...name, 0x05, 0x00]; // 1 import: instance (type 0)
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00],
    ...[0x07, ...sized(types)],
    ...[0x0a, ...sized(imports)],
  ]);
}

it('a version suffix completes a canonversion: the name without it is the import', async () => {
  for (const [name, suffix] of [
    ['a:b/c@1', '.2.3'],
    ['a:b/c@0.2', '.6+sha.5114f85'],
    ['a:b/c@0.0.1', ''],
    ['a:b/c@0.0.1', '-alpha'],
    ['a:b/c@1', '.2.3-alpha.1+sha'],
  ] as const) {
    const module = await kernel.load(importing(attributed(name, [[0x01, suffix]])));
    expect(module.world.imports.map((i) => i.name)).toEqual([name]);
  }
  // An external id alone, and with a suffix: dropped.
  expect(await loadOutcome(kernel, importing(attributed('a:b/c@1', [[0x02, 'x']])))).toMatch(
    /^invalid-module: .*not a plain name/,
  );
  const both = await kernel.load(
    importing(
      attributed('a:b/c@1', [
        [0x02, 'some-external-id'],
        [0x01, '.2.3'],
      ]),
    ),
  );
  expect(both.world.imports.map((i) => i.name)).toEqual(['a:b/c@1']);
  expect(await loadOutcome(kernel, importing(attributed('plain', [])))).toBe('loaded');
});

it('a version suffix without a canonversion, or not making a semver with it, is refused', async () => {
  for (const [name, suffix] of [
    ['a:b/c@1', ''],
    ['a:b/c@1', '.2'],
    ['a:b/c@1', '+sha'],
    ['a:b/c@1', '2.3'],
    ['a:b/c@1', '.2.3.4'],
    ['a:b/c@0', '.1.0'],
    ['a:b/c@01', '.2.3'],
    ['a:b/c@1.2.3', ''],
    ['a:b/c@0.0.1-alpha', '+sha'],
    ['a:b/c', '.2.3'],
    ['a', ''],
  ] as const) {
    expect(
      await loadOutcome(kernel, importing(attributed(name, [[0x01, suffix]]))),
      `${name} ${suffix}`,
    ).toMatch(/^invalid-module: invalid component \(import section\): import name .* \(version suffix /);
  }
});

it('implements is refused as unsupported; a kind twice, an unknown kind or form is malformed', async () => {
  expect(await loadOutcome(kernel, importing(attributed('i', [[0x00, 'a:b/x']])))).toMatch(
    /^invalid-module: unsupported component: the implements name attribute \(import "i"\) \(import section\)/,
  );
  expect(
    await loadOutcome(
      kernel,
      importing(
        attributed('a:b/c@1', [
          [0x01, '.2.3'],
          [0x01, '.2.4'],
        ]),
      ),
    ),
  ).toMatch(/^invalid-module: malformed component \(import section\): .*two attributes of kind 0x01/);
  expect(await loadOutcome(kernel, importing(attributed('a:b/c@1', [[0x03, '.2.3']])))).toMatch(
    /^invalid-module: malformed component \(import section\): unknown name attribute 0x03/,
  );
  expect(await loadOutcome(kernel, importing([0x03, ...sized(utf8.encode('a'))]))).toMatch(
    /^invalid-module: malformed component \(import section\): import name form 0x03/,
  );
});

it("a host interface imported with a version suffix is served by the interface's provider", async () => {
  // wasi:clocks/monotonic-clock@0.2 with .3: an instance type of `now`, lowered and called.
  const core = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7e], // type 0: () -> i64
    ...[0x02, 0x09, 0x01, 0x01, 0x63, 0x03, 0x6e, 0x6f, 0x77, 0x00, 0x00], // import "c" "now"
    ...[0x03, 0x02, 0x01, 0x00], // func 1: type 0
    ...[0x07, 0x07, 0x01, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x01], // export "run" func 1
    ...[0x0a, 0x06, 0x01, 0x04, 0x00, 0x10, 0x00, 0x0b], // run: call 0
  ];
  const nowType = [0x40, 0x00, 0x00, 0x77]; // (func (result u64))
  const clockType = [0x42, 0x02, 0x01, ...nowType, 0x04, 0x00, ...sized(utf8.encode('now')), 0x01, 0x00];
  const section = (id: number, body: number[]) => [id, ...sized(body)];
  const bytes = Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00],
    ...section(0x07, [0x02, ...clockType, ...nowType]), // type 0: the instance, type 1: () -> u64
    ...section(0x0a, [0x01, ...attributed('wasi:clocks/monotonic-clock@0.2', [[0x01, '.3']]), 0x05, 0x00]),
    ...section(0x01, core), // core module 0
    ...section(0x06, [0x01, 0x01, 0x00, 0x00, ...sized(utf8.encode('now'))]), // func 0: alias export of instance 0
    ...section(0x08, [0x01, 0x01, 0x00, 0x00, 0x00]), // core func 0: canon lower func 0
    ...section(0x02, [
      0x02,
      ...[0x01, 0x01, ...sized(utf8.encode('now')), 0x00, 0x00], // core instance 0: exports "now"
      ...[0x00, 0x00, 0x01, ...sized(utf8.encode('c')), 0x12, 0x00], // core instance 1: module 0 with "c"
    ]),
    ...section(0x06, [0x01, 0x00, 0x00, 0x01, 0x01, ...sized(utf8.encode('run'))]), // core func 1: "run" of core instance 1
    ...section(0x08, [0x01, 0x00, 0x00, 0x01, 0x00, 0x01]), // func 1: canon lift core func 1, type 1
    ...section(0x0b, [0x01, 0x00, ...sized(utf8.encode('run')), 0x01, 0x01, 0x00]), // export "run" func 1
  ]);
  const module = await kernel.load(bytes);
  expect(module.world.imports.map((i) => i.name)).toEqual(['wasi:clocks/monotonic-clock@0.2']);
  const sandbox = await kernel.spawn(module, { grants: ['wasi:clocks/*'] });
  try {
    const now = await sandbox.call('run');
    expect(['number', 'bigint']).toContain(typeof now); // the provider's clock, as JSON
  } finally {
    sandbox.terminate('done');
  }
  expect(kernel.sandboxes).toHaveLength(0);
  await expect(kernel.spawn(module)).rejects.toMatchObject({ code: 'capability-denied' });
});
