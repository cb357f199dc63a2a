/**
 * Component → JavaScript glue plus core modules, in instantiation mode.
 *
 * Two generators, chosen by measurement (see docs/loader.md and bench/):
 * - `jco-1.12.0` (pinned, lean): glue of a few hundred bytes per function that costs about as
 *   much as a plain export call. It handles every synchronous component we have tried.
 * - `jco-transpile` (current): needed for components 1.12 rejects (WASI 0.3 async, newer
 *   canonical ABI features); its task machinery costs 0.8–3 µs a call.
 */
// jco-transpile is imported on first use: it costs ~100 ms to load, and core modules never need it.
import { KeelError } from '../kernel/errors.js';

export type GeneratorId = 'jco-1.12.0' | 'jco-transpile-0.3.9';

export const GENERATORS: readonly GeneratorId[] = ['jco-1.12.0', 'jco-transpile-0.3.9'];

export interface TranspileOutput {
  generator: GeneratorId;
  /** The glue, an ES module exporting `instantiate(getCoreModule, imports, instantiateCore)`. */
  glue: string;
  /** Core modules by the file name the glue asks for. */
  coreModules: Record<string, Uint8Array>;
  /** Import specifiers the glue reads from its imports object (version-less). */
  imports: string[];
  /** Exports as `[name, 'function' | 'instance']`. */
  exports: [string, 'function' | 'instance'][];
  /** TypeScript declarations of the component's world, by file name (used by `keel inspect`). */
  declarations: Record<string, string>;
  /** The component's world as WIT text. */
  wit: string;
}

export interface TranspileOptions {
  /** Force one generator (benchmarks); by default the lean one is tried first. */
  generator?: GeneratorId;
}

const GLUE_NAME = 'component';

interface GeneratedFiles {
  files: [string, Uint8Array][];
  imports: string[];
  exports: [string, 'function' | 'instance'][];
}

async function generateLean(bytes: Uint8Array): Promise<GeneratedFiles> {
  const { generate } = await import('@bytecodealliance/jco/component');
  return await generate(bytes, {
    name: GLUE_NAME,
    instantiation: { tag: 'sync' },
    map: [],
    noNodejsCompat: true,
    base64Cutoff: 0,
    tlaCompat: false,
    validLiftingOptimization: false,
    tracing: false,
    noNamespacedExports: false,
    multiMemory: false,
  });
}

async function generateCurrent(bytes: Uint8Array): Promise<GeneratedFiles> {
  const { transpileBytes } = await import('@bytecodealliance/jco-transpile');
  const result = await transpileBytes(bytes, {
    name: GLUE_NAME,
    instantiation: 'sync',
    nodejsCompat: false,
    base64Cutoff: 0,
    emitTypescriptDeclarations: true,
  });
  return { files: Object.entries(result.files), imports: result.imports, exports: result.exports };
}

const textDecoder = new TextDecoder();

/** Transpile a component. Malformed components are `invalid-module` with a one-line reason. */
export async function transpileComponent(
  bytes: Uint8Array,
  options: TranspileOptions = {},
): Promise<TranspileOutput> {
  const order: GeneratorId[] = options.generator ? [options.generator] : [...GENERATORS];
  let firstError: unknown;
  for (const generator of order) {
    try {
      const generated = generator === 'jco-1.12.0' ? await generateLean(bytes) : await generateCurrent(bytes);
      const { componentWit } = await import('@bytecodealliance/jco-transpile/wasm-tools');
      return { generator, ...split(generated), wit: await componentWit(bytes) };
    } catch (error) {
      firstError ??= error;
    }
  }
  throw new KeelError('invalid-module', `component rejected: ${oneLine(firstError)}`, {
    generators: order,
  });
}

function split(generated: GeneratedFiles): Omit<TranspileOutput, 'generator' | 'wit'> {
  const coreModules: Record<string, Uint8Array> = {};
  const declarations: Record<string, string> = {};
  let glue: string | undefined;
  for (const [name, content] of generated.files) {
    if (name.endsWith('.wasm')) coreModules[name] = content;
    else if (name.endsWith('.d.ts')) declarations[name] = textDecoder.decode(content);
    else if (name === `${GLUE_NAME}.js`) glue = textDecoder.decode(content);
  }
  if (glue === undefined) throw new KeelError('internal', 'transpiler produced no glue module');
  return { glue, coreModules, declarations, imports: generated.imports, exports: generated.exports };
}

/** First meaningful line of a tool's error, without stack or Rust backtrace noise. */
export function oneLine(error: unknown): string {
  const payload = (error as { payload?: unknown })?.payload;
  const text =
    typeof payload === 'string'
      ? payload
      : error instanceof Error
        ? error.message
        : String(error ?? 'unknown error');
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0 && !/^(Caused by|Stack backtrace):?$/i.test(l));
  return (line ?? 'unknown error').replace(/^Error:\s*/, '');
}
