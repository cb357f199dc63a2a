/**
 * "Swap" components, generated for any list of function types: each export `f(params) -> r`
 * passes its arguments, untouched, to the host import `keel:corpus/host#f` of the same type and
 * returns what the host returned. One call crosses the boundary four times:
 *
 *   host lowers the arguments into the guest (export, `canon lift`)
 *   → host lifts them back out of the guest's memory (import, `canon lower`)
 *   → host lowers its answer into the guest's memory (through the guest's `cabi_realloc`)
 *   → host lifts the export's result.
 *
 * The guest never looks at the values, so what the host import receives must equal the
 * arguments and what the export returns must equal the host's answer: lowering and lifting are
 * both checked, in both directions, for every type. The guest has a bump `cabi_realloc` that
 * traps on an alignment that is not a power of two up to 8, a `post-return` per export that
 * counts its calls (`post-count`) and resets the heap, so that memory after a call is the same
 * for the same call.
 */
import { componentEmbed, componentNew } from '../../scripts/lib/wasm-tools.js';
import { wat } from '../../scripts/lib/wat.js';
import {
  alignTo,
  type FuncType,
  liftedSignature,
  loweredSignature,
  namedTypes,
  size,
  witDefinition,
  witFunc,
} from './wit.js';

export type StringEncoding = 'utf8' | 'utf16' | 'compact-utf16';

export interface SwapFunction {
  /** A WIT identifier; the export and the host import are both named so. */
  name: string;
  type: FuncType;
}

export interface SwapSpec {
  functions: readonly SwapFunction[];
  /** The string encoding of every `canon lift` and `canon lower` (default utf8). */
  encoding?: StringEncoding;
  /**
   * A block `cabi_realloc` moves is zeroed where it was: what a caller wrote into a buffer it then
   * outgrew is not left behind (composed-swap.ts: definitions.py and wasmtime's adapters fill a
   * string's first buffer differently before growing it, then both move it; docs/conformance.md).
   */
  scrub?: boolean;
}

export const HOST_INTERFACE = 'keel:corpus/host';
/** Where a result too large to be flat is returned (8-aligned), and where the heap starts. */
const RETURN_AREA = 16;

export function swapWit(spec: SwapSpec): string {
  const types = namedTypes(
    spec.functions.flatMap((f) => [
      ...f.type.params.map((p) => p.type),
      ...(f.type.result ? [f.type.result] : []),
    ]),
  );
  const definitions = [...types.values()].map((d) => `  ${witDefinition(d)}`);
  const uses = types.size > 0 ? `  use host.{${[...types.keys()].join(', ')}};\n` : '';
  const funcs = spec.functions.map((f) => `  ${f.name}: ${witFunc(f.type)};`);
  return `package keel:corpus;
interface host {
${definitions.join('\n')}
${funcs.join('\n')}
}
world swap {
  import host;
${uses}${spec.functions.map((f) => `  export ${f.name}: ${witFunc(f.type)};`).join('\n')}
  export post-count: func() -> u32;
}
`;
}

function heapStart(spec: SwapSpec): number {
  const area = Math.max(0, ...spec.functions.map((f) => (f.type.result ? size(f.type.result) : 0)));
  return Math.max(1024, alignTo(RETURN_AREA + area, 8));
}

const list = (kw: string, types: readonly string[]) => (types.length ? ` (${kw} ${types.join(' ')})` : '');

export function swapWat(spec: SwapSpec): string {
  const heap = heapStart(spec);
  const imports: string[] = [];
  const bodies: string[] = [];
  spec.functions.forEach((f, i) => {
    const lowered = loweredSignature(f.type);
    const lifted = liftedSignature(f.type);
    const retptr = lowered.params.length > lifted.params.length;
    imports.push(
      `  (import "${HOST_INTERFACE}" "${f.name}" (func $host${i}${list('param', lowered.params)}${list('result', lowered.results)}))`,
    );
    const args = lifted.params.map((_, j) => `(local.get ${j})`).join(' ');
    bodies.push(`  (func (export "${f.name}")${list('param', lifted.params)}${list('result', lifted.results)}
    (call $host${i} ${args}${retptr ? ` (i32.const ${RETURN_AREA})` : ''})${retptr ? ` (i32.const ${RETURN_AREA})` : ''})
  (func (export "cabi_post_${f.name}")${list('param', lifted.results)}
    (global.set $posts (i32.add (global.get $posts) (i32.const 1)))
    (global.set $heap (i32.const ${heap})))`);
  });
  return `(module
${imports.join('\n')}
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const ${heap}))
  (global $posts (mut i32) (i32.const 0))
  ;; A bump allocator: in place when shrinking, else a fresh block (the old one copied).
  (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
    (local $p i32) (local $end i64)
    (if (i32.or (i32.or (i32.eqz (local.get $align)) (i32.gt_u (local.get $align) (i32.const 8)))
          (i32.and (local.get $align) (i32.sub (local.get $align) (i32.const 1))))
      (then unreachable))
    (if (i32.and (i32.ne (local.get $old) (i32.const 0)) (i32.le_u (local.get $size) (local.get $old_size)))
      (then (return (local.get $old))))
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
      (i32.sub (i32.const 0) (local.get $align))))
    (local.set $end (i64.add (i64.extend_i32_u (local.get $p)) (i64.extend_i32_u (local.get $size))))
    (if (i64.gt_u (local.get $end) (i64.const 0x7fffffff)) (then unreachable))
    (if (i64.gt_u (local.get $end) (i64.mul (i64.extend_i32_u (memory.size)) (i64.const 65536)))
      (then (if (i32.eq (memory.grow (i32.sub (i32.wrap_i64 (i64.div_u (i64.add (local.get $end) (i64.const 65535)) (i64.const 65536)))
                (memory.size))) (i32.const -1))
        (then unreachable))))
    (if (local.get $old) (then (memory.copy (local.get $p) (local.get $old) (local.get $old_size))${
      spec.scrub
        ? `
      (memory.fill (local.get $old) (i32.const 0) (local.get $old_size))`
        : ''
    }))
    (global.set $heap (i32.wrap_i64 (local.get $end)))
    (local.get $p))
${bodies.join('\n')}
  (func (export "post-count") (result i32) (global.get $posts))
)`;
}

/** The component: core WAT, WIT embedded with the encoding, `component new`. */
export async function buildSwap(spec: SwapSpec): Promise<Uint8Array> {
  const core = await wat(swapWat(spec), 'swap.wat');
  const embedded = await componentEmbed({
    binary: core,
    witSource: swapWit(spec),
    world: 'swap',
    stringEncoding: spec.encoding ?? 'utf8',
  });
  return componentNew(embedded, undefined);
}
