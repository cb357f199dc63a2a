/**
 * Swap components (swap.ts) composed two deep, as `wasm-tools compose` and wac link a component
 * into another: an outer component holds two swaps of the same functions, A and B, each with its
 * own memory, `cabi_realloc`, post-returns and string encoding; B's host import is the outer's,
 * and A's is B's exports. One call of the outer's export `f` then crosses:
 *
 *   host -> A (`canon lift`) -> A's import, B's export: an adapter between two component
 *   instances (lifted from A's memory, lowered into B's through B's realloc, B's result back into
 *   A's through A's realloc, B's post-return) -> B -> the host, and back.
 *
 * What the host receives and returns is unchanged by the swap, so the same vectors hold; the
 * adapter between A's and B's encodings is what a single swap never reaches. The outer is made in
 * text: both swaps printed by wasm-tools, nested whole, and wired by instantiation.
 */
import { cached } from '../../scripts/lib/wasm-tools.js';
import { buildSwap, HOST_INTERFACE, type StringEncoding, type SwapSpec } from './swap.js';

type Tools = typeof import('@bytecodealliance/jco-transpile/wasm-tools');

/** A component's text without its `(@producers ...)` custom section (names only, not needed). */
async function printed(bytes: Uint8Array): Promise<string> {
  const tools: Tools = await import('@bytecodealliance/jco-transpile/wasm-tools');
  return (await tools.print(bytes)).replace(/\n {2}\(@producers[\s\S]*?\n {2}\)(?=\n\)\s*$)/, '');
}

export interface ComposedSpec extends SwapSpec {
  /** The inner swap's (B's) string encoding; the outer swap's (A's) is `encoding`. */
  inner: StringEncoding;
}

/** The outer component's text (see above). */
export async function composedSwapText(spec: ComposedSpec): Promise<string> {
  const a = await printed(
    await buildSwap({ functions: spec.functions, encoding: spec.encoding ?? 'utf8', scrub: true }),
  );
  const b = await printed(await buildSwap({ functions: spec.functions, encoding: spec.inner, scrub: true }));
  // The swap's prelude (the host instance's type, its import, the named types imported at the top
  // level for `use host.{...}`) is the outer's own: everything before its first core module.
  const prelude = a.slice('(component'.length, a.indexOf('\n  (core module'));
  const host = /\(import "keel:corpus\/host" \(instance (\$\S+)/.exec(prelude)?.[1];
  if (!host) throw new Error('a swap component without its host import');
  const types = [...prelude.matchAll(/\(import "([^"]+)" \(type (\$"[^"]*"|\$[^\s()]+)/g)].map(
    ([, name, id]) => ({
      name: name!,
      id: id!,
    }),
  );
  const withTypes = types.map((t) => ` (with "${t.name}" (type ${t.id}))`).join('');
  const names = [...spec.functions.map((f) => f.name)];
  return `(component${prelude}
  (component $A${a.slice('(component'.length, a.lastIndexOf(')'))})
  (component $B${b.slice('(component'.length, b.lastIndexOf(')'))})
  (instance $b (instantiate $B (with "${HOST_INTERFACE}" (instance ${host}))${withTypes}))
  (instance $bag${types.map((t) => ` (export "${t.name}" (type ${t.id}))`).join('')}${names
    .map((n) => ` (export "${n}" (func $b "${n}"))`)
    .join('')})
  (instance $a (instantiate $A (with "${HOST_INTERFACE}" (instance $bag))${withTypes}))
${[...names, 'post-count'].map((n) => `  (export "${n}" (func $a "${n}"))`).join('\n')}
)`;
}

/** The outer component's bytes. */
export async function buildComposedSwap(spec: ComposedSpec): Promise<Uint8Array> {
  const text = await composedSwapText(spec);
  return cached(['parse', text], async () => {
    const tools: Tools = await import('@bytecodealliance/jco-transpile/wasm-tools');
    return tools.parse(text);
  });
}
