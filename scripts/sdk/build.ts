/**
 * Build a guest project (keel.json) into a component, whatever its language: what `keel build`
 * and `npm run build:sdk-guests` run. Long steps report progress through `onProgress`.
 */
import { relative, resolve } from 'node:path';
import { buildC } from './c/build.js';
import { writeInside } from './files.js';
import {
  type BuildRecord,
  inputHash,
  keelRoot,
  type Project,
  ProjectError,
  projectWorld,
  sha256,
  writeRecord,
} from './project.js';
import { buildRust } from './rust/build.js';
import {
  ASSEMBLYSCRIPT,
  CLANG,
  COMPONENTIZE_JS,
  checkClangTarget,
  checkRustTarget,
  ESBUILD,
  findNpmTool,
  findTool,
  RUSTC,
  TYPESCRIPT,
  version,
} from './toolchain.js';

export interface BuildOptions {
  /** Called with a line of progress for each step (`generating bindings`, `compiling with clang`). */
  onProgress?: (line: string) => void;
  /** Write the component and its build record (default true). */
  write?: boolean;
}

export interface BuildResult {
  component: Uint8Array;
  record: BuildRecord;
  /** Where the component was (or would be) written. */
  output: string;
}

export async function buildProject(project: Project, options: BuildOptions = {}): Promise<BuildResult> {
  const root = keelRoot();
  const progress = options.onProgress ?? (() => {});
  progress(`resolving the WIT world (${project.wit})`);
  const world = await projectWorld(project, root);
  let component: Uint8Array;
  let toolchain: string;
  switch (project.language) {
    case 'c': {
      const clang = findTool(CLANG);
      checkClangTarget(clang);
      toolchain = version(clang);
      progress(`compiling ${project.sources.join(', ')} with ${toolchain}`);
      ({ component } = await buildC({
        sources: project.sources,
        world,
        sdkDir: resolve(root, 'sdk/c'),
        cwd: project.dir,
        ...(project.cflags ? { cflags: project.cflags } : {}),
      }));
      break;
    }
    case 'rust': {
      const rustc = findTool(RUSTC);
      checkRustTarget(rustc);
      toolchain = version(rustc);
      progress(`compiling ${project.sources[0]} with ${toolchain} (wasm32-wasi)`);
      ({ component } = await buildRust({
        rustc,
        crateRoot: resolve(project.dir, project.sources[0]!),
        world,
        keelCrate: resolve(root, 'sdk/rust/keel'),
        projectDir: project.dir,
        keelRoot: root,
      }));
      break;
    }
    case 'as': {
      toolchain = `AssemblyScript ${findNpmTool(ASSEMBLYSCRIPT)}`;
      const { buildGuest } = await import('../as-sdk/build.js');
      progress(`compiling ${project.sources[0]} with ${toolchain}`);
      ({ component } = await buildGuest({
        entry: resolve(project.dir, project.sources[0]!),
        wit: resolve(project.dir, project.wit),
        ...(project.world ? { world: project.world } : {}),
      }));
      break;
    }
    case 'js':
    case 'ts': {
      // Each one the build needs, named before any of it starts.
      if (project.language === 'ts') findNpmTool(TYPESCRIPT);
      findNpmTool(ESBUILD);
      toolchain = `componentize-js ${findNpmTool(COMPONENTIZE_JS)}`;
      const { buildJs } = await import('./js/build.js');
      ({ component } = await buildJs({
        entry: resolve(project.dir, project.sources[0]!),
        world,
        typescript: project.language === 'ts',
        projectDir: project.dir,
        onProgress: progress,
      }));
      break;
    }
    default:
      throw new ProjectError(`building ${project.language} guests is not supported yet`);
  }
  const output = resolve(project.dir, project.output);
  const record: BuildRecord = {
    inputs: await inputHash(project, root),
    output: sha256(component),
    bytes: component.length,
    toolchain,
  };
  if (options.write !== false) {
    writeInside(project.dir, output, component, 'output');
    writeRecord(project, record);
    progress(`wrote ${relative(process.cwd(), output)} (${component.length} bytes)`);
  }
  return { component, record, output };
}
