/**
 * Build a JavaScript or TypeScript guest into a component:
 *
 *   WIT → model → keel-world.d.ts (written into the project, for editors and the type check)
 *     → TypeScript: type-checked with Keel's `typescript` against those declarations
 *     → esbuild: one ES module (the WIT imports left as imports)
 *     → componentize-js (SpiderMonkey compiled to wasm, StarlingMonkey) with the joined WIT
 *
 * componentize-js brings its own JavaScript engine: components are megabytes, not kilobytes,
 * and the engine's start-up dominates loading (docs/sdk-js.md).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeInside } from '../files.js';
import type { LoadedWorld } from '../wit/load.js';
import { generateDeclarations } from './declarations.js';

export interface JsBuildOptions {
  /** The entry module (absolute). */
  entry: string;
  world: LoadedWorld;
  typescript: boolean;
  projectDir: string;
  onProgress: (line: string) => void;
}

export class JsBuildError extends Error {
  override readonly name = 'JsBuildError';
}

export function declarationsPath(projectDir: string): string {
  return join(projectDir, 'keel-world.d.ts');
}

/** Type-check a TypeScript entry against the world's declarations; throws the diagnostics. */
export async function typeCheck(entry: string, declarations: string, projectDir: string): Promise<void> {
  const ts = (await import('typescript')).default;
  const program = ts.createProgram([entry, declarations], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    types: [],
    skipLibCheck: true,
  });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length === 0) return;
  const text = ts.formatDiagnostics(diagnostics.slice(0, 20), {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => projectDir,
    getNewLine: () => '\n',
  });
  throw new JsBuildError(`type errors:\n${text.trim()}`);
}

export async function buildJs(options: JsBuildOptions): Promise<{ component: Uint8Array }> {
  const declarations = declarationsPath(options.projectDir);
  writeInside(options.projectDir, declarations, generateDeclarations(options.world.world), 'keel-world.d.ts');
  if (options.typescript) {
    options.onProgress('type-checking with TypeScript');
    await typeCheck(options.entry, declarations, options.projectDir);
  }
  options.onProgress('bundling with esbuild');
  const esbuild = await import('esbuild');
  const bundle = await esbuild
    .build({
      entryPoints: [options.entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      // The world's imports are the component's: componentize-js links them.
      external: [
        'keel:*',
        'wasi:*',
        ...options.world.world.imports.flatMap((i) => (i.kind === 'interface' ? [i.iface.id] : [])),
      ],
      absWorkingDir: options.projectDir,
      logLevel: 'silent',
      legalComments: 'none',
    })
    .catch((error: unknown) => {
      throw new JsBuildError(`esbuild: ${(error as Error).message}`);
    });
  const source = bundle.outputFiles[0]!.text;
  options.onProgress('componentize-js: snapshotting the engine with the bundle (15 s or more)');
  const scratch = mkdtempSync(join(tmpdir(), 'keel-js-'));
  try {
    const witFile = join(scratch, 'world.wit');
    writeFileSync(witFile, options.world.source);
    const { componentize } = await import('@bytecodealliance/componentize-js');
    const started = performance.now();
    const ticker = setInterval(() => {
      options.onProgress(
        `componentize-js: still working (${((performance.now() - started) / 1000).toFixed(0)} s)`,
      );
    }, 10_000);
    try {
      // componentize-js's types require `sourcePath`; its code defaults it (a file it writes).
      const run = componentize as unknown as (
        source: string,
        options: object,
      ) => Promise<{ component: Uint8Array }>;
      const { component } = await run(source, {
        witPath: witFile,
        worldName: options.world.world.name,
        // Only the world's own imports: no WASI unless the world imports it.
        disableFeatures: ['stdio', 'random', 'clocks', 'http'],
      });
      return { component: new Uint8Array(component) };
    } catch (error) {
      throw new JsBuildError(`componentize-js: ${(error as Error).message}`);
    } finally {
      clearInterval(ticker);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
