/**
 * Resources in the corpus (guests/wat/components/resources/: a core module and its WIT, built
 * at test time the way toolchains build components): a resource the guest defines and exports
 * (`counter`: constructor, methods, a static function, own and borrow parameters, its
 * destructor) and a resource the host defines and the guest imports (`blob`: made by a host
 * function and by its constructor, measured through a borrow and a method, dropped).
 */
import { readFileSync } from 'node:fs';
import { componentEmbed, componentNew } from '../../scripts/lib/wasm-tools.js';
import { wat } from '../../scripts/lib/wat.js';
import type { HostImplementation } from './engine.js';
import type { CorpusEntry, Vector } from './harness.js';
import type { Value } from './values.js';
import { type FuncType, t } from './wit.js';

const DIR = 'guests/wat/components/resources';
const read = (file: string) => readFileSync(new URL(`../../${DIR}/${file}`, import.meta.url), 'utf8');

export async function resourcesComponent(): Promise<Uint8Array> {
  const core = await wat(read('resources.wat'), 'resources.wat');
  const embedded = await componentEmbed({
    binary: core,
    witSource: read('resources.wit'),
    world: 'resources',
  });
  return componentNew(embedded, undefined);
}

const COUNTERS = 'keel:corpus/counters';
const BLOBS = 'keel:corpus/blobs';
const counter = t.own('counter');
const blob = t.own('blob');
const fn = (
  params: Record<string, FuncType['params'][number]['type']>,
  result?: FuncType['result'],
): FuncType => ({
  params: Object.entries(params).map(([name, type]) => ({ name, type })),
  ...(result ? { result } : {}),
});

const EXPORTS: Record<string, FuncType> = {
  [`${COUNTERS}#make`]: fn({ start: t.u32 }, counter),
  [`${COUNTERS}#peek`]: fn({ c: t.borrow('counter') }, t.u32),
  [`${COUNTERS}#finish`]: fn({ c: counter }, t.u32),
  [`${COUNTERS}#drops`]: fn({}, t.u32),
  [`${COUNTERS}#weigh`]: fn({ size: t.u32 }, t.u32),
  [`${COUNTERS}#[constructor]counter`]: fn({ start: t.u32 }, counter),
  [`${COUNTERS}#[method]counter.bump`]: fn({ self: t.borrow('counter'), by: t.u32 }, t.u32),
  [`${COUNTERS}#[method]counter.value`]: fn({ self: t.borrow('counter') }, t.u32),
  [`${COUNTERS}#[static]counter.merge`]: fn({ a: counter, b: counter }, counter),
  /** Not an export: the host drops its handle of a counter (the guest's destructor runs). */
  '[resource-drop]counter': fn({ self: counter }),
};

const IMPORTS: Record<string, Record<string, FuncType>> = {
  [BLOBS]: {
    'make-blob': fn({ size: t.u32 }, blob),
    'blob-size': fn({ b: t.borrow('blob') }, t.u32),
    '[constructor]blob': fn({ size: t.u32 }, blob),
    '[method]blob.size': fn({ self: t.borrow('blob') }, t.u32),
    '[resource-drop]blob': fn({ self: blob }),
  },
};

/** The host's blobs (for one instance): sizes by handle, numbered in the order they are made. */
function blobHost(): HostImplementation {
  const sizes: number[] = [];
  const make = ([size]: Value[]) => {
    sizes.push(size as number);
    return { handle: sizes.length - 1 };
  };
  const size = ([b]: Value[]) => sizes[(b as { handle: number }).handle]!;
  return {
    [BLOBS]: {
      'make-blob': make,
      '[constructor]blob': make,
      'blob-size': size,
      '[method]blob.size': size,
      '[resource-drop]blob': () => undefined,
    },
  };
}

const call = (name: string, args: Value[], value?: Value, note?: string): Vector => ({
  export: name.startsWith('[resource-drop]') ? name : `${COUNTERS}#${name}`,
  args,
  expect: { ...(value === undefined ? {} : { value }), hostCalls: [] },
  ...(note ? { note } : {}),
});
const h = (handle: number) => ({ handle });

/**
 * Resources through plain functions (what every engine can call): counters made, borrowed,
 * consumed and dropped by the host; a blob of the host made, measured and dropped by the guest.
 */
export async function resourceFunctionsEntry(): Promise<CorpusEntry> {
  return {
    name: 'resources (functions)',
    bytes: await resourcesComponent(),
    exports: EXPORTS,
    imports: IMPORTS,
    host: blobHost,
    vectors: [
      call('make', [5], h(0), 'an own handle to the host'),
      call('peek', [h(0)], 5, 'lent back as a borrow'),
      call('make', [7], h(1)),
      call('finish', [h(1)], 7, 'moved into the guest, which drops it'),
      call('drops', [], 1, 'its destructor ran'),
      call('peek', [h(0)], 5, 'the first one is still the host’s'),
      call('[resource-drop]counter', [h(0)], undefined, 'the host drops its handle'),
      call('drops', [], 2),
      {
        export: `${COUNTERS}#weigh`,
        args: [42],
        expect: {
          value: 42,
          hostCalls: [
            { fn: `${BLOBS}#make-blob`, args: [42] },
            { fn: `${BLOBS}#blob-size`, args: [h(0)] },
            { fn: `${BLOBS}#[method]blob.size`, args: [h(0)] },
            { fn: `${BLOBS}#[resource-drop]blob`, args: [h(0)] },
          ],
        },
        note: 'a host resource: made, borrowed, its method called, dropped (the host sees the drop)',
      },
    ],
  };
}

/** The resource's own functions: constructor, methods, a static function taking two owns. */
export async function resourceMethodsEntry(): Promise<CorpusEntry> {
  return {
    name: 'resources (constructor, methods, static)',
    bytes: await resourcesComponent(),
    exports: EXPORTS,
    imports: IMPORTS,
    host: blobHost,
    vectors: [
      call('[constructor]counter', [10], h(0)),
      call('[method]counter.bump', [h(0), 5], 15),
      call('[method]counter.value', [h(0)], 15),
      call('[constructor]counter', [1], h(1)),
      call('[static]counter.merge', [h(0), h(1)], h(2), 'both moved in and dropped, a new one out'),
      call('[method]counter.value', [h(2)], 16),
      {
        export: `${COUNTERS}#drops`,
        args: [],
        // Two destructors per merge that ran (an engine that cannot call merge ran none).
        expectAfter: (before) => ({
          value: 2 * before.filter((o) => o.outcome.ok && o.vector.export.endsWith('.merge')).length,
          hostCalls: [],
        }),
      },
    ],
  };
}
