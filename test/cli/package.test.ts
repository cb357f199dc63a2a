/**
 * The npm package as a user gets it: `npm pack` (which cleans and builds, as `npm publish`
 * does) from a copy of the sources, then the tarball installed into a fresh project with no
 * registry access, then the library and the `keel` binary run from there.
 *
 * Offline: the project's lockfile is the repository's own, cut to Keel's runtime dependencies
 * (the packages `npm ci` of the repository put in npm's cache), so `npm ci --offline` resolves
 * nothing and downloads nothing. The sources are packed from a copy so that the repository's
 * dist/, which other tests run, is never cleaned under them.
 */
import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, scratchDir, TRIVIAL } from './harness.js';

interface PackedFile {
  path: string;
  size: number;
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  license: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  bin: Record<string, string>;
  engines: Record<string, string>;
  files: string[];
  scripts: Record<string, string>;
};

const work = scratchDir('package');
const app = join(work, 'app');
const tarball = `keel-${pkg.version}.tgz`;
let packed: { files: PackedFile[]; size: number; unpackedSize: number };

/** The environment of a user's shell: none of the npm_* variables that `npm test` would pass on. */
function userEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return { ...env, NO_COLOR: '1', npm_config_update_notifier: 'false', ...extra };
}

/** npm with no registry: any attempt to fetch fails at once instead of waiting on the network. */
function npm(args: string[], cwd: string, timeout: number) {
  const options: SpawnSyncOptions = {
    cwd,
    encoding: 'utf8',
    timeout,
    env: userEnv({ npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' }),
  };
  const result = spawnSync('npm', args, options);
  if (result.status !== 0) {
    throw new Error(`npm ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stderr}`);
  }
  return result.stdout as unknown as string;
}

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, {
    cwd: app,
    encoding: 'utf8',
    timeout: 120_000,
    env: userEnv({ npm_config_offline: 'true' }),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  // The sources a pack reads, as a checkout has them; node_modules for the build's compiler.
  const src = join(work, 'src');
  mkdirSync(src);
  for (const entry of [
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'README.md',
    'CHANGELOG.md',
    'bin',
    'host',
    'scripts/sdk',
    'scripts/as-sdk',
    'scripts/strip-comments.ts',
    'scripts/stamp-planner.ts',
    'scripts/bundle-cli.ts',
    'wit',
    'wit-types',
    'sdk',
    'docs',
  ]) {
    cpSync(join(ROOT, entry), join(src, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'), 'dir');
  const out = npm(['pack', '--json', '--pack-destination', work], src, 400_000);
  packed = (JSON.parse(out) as (typeof packed)[])[0]!;

  // A fresh project depending on the tarball, locked to the repository's runtime dependencies.
  mkdirSync(app);
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, Record<string, unknown>>;
  };
  // The project also has AssemblyScript, as `keel build` of an `as` project asks a user to:
  // the package does not depend on the toolchains only a build needs.
  const asc = lock.packages['node_modules/assemblyscript']!.version as string;
  const devDependencies = { assemblyscript: asc };
  const packages: Record<string, unknown> = {
    '': { name: 'app', dependencies: { keel: `file:../${tarball}` }, devDependencies },
    'node_modules/keel': {
      version: pkg.version,
      resolved: `file:../${tarball}`,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    const toolchain = path.startsWith('node_modules/assemblyscript') || path === 'node_modules/long';
    if (path === '' || (entry.dev === true && !toolchain)) continue;
    const { devOptional, ...rest } = entry;
    packages[path] = devOptional ? { ...rest, optional: true } : rest;
  }
  const dependencies = { keel: `file:../${tarball}` };
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'app', private: true, type: 'module', dependencies, devDependencies }, null, 2),
  );
  writeFileSync(
    join(app, 'package-lock.json'),
    JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages }, null, 2),
  );
  npm(['ci', '--offline', '--no-audit', '--no-fund'], app, 400_000);
  writeFileSync(join(app, 'trivial.wasm'), TRIVIAL);
}, 900_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('is built on pack and carries only what a user needs', () => {
    const paths = packed.files.map((f) => f.path);
    // The build is in it (dist/ is ignored by git: only `files` and the pack's build put it there).
    for (const needed of [
      'package.json',
      'README.md',
      'bin/keel.js',
      // bin/ is CommonJS (bin/keel.js starts without Node's ES module loader).
      'bin/package.json',
      'dist/host/index.js',
      'dist/host/index.d.ts',
      'dist/host/cli/main.js',
      // The CLI's bundle, which bin/keel.js runs, and its import.meta.resolve.
      'dist/host/cli/keel-cli.cjs',
      'dist/host/cli/keel-cli-resolve.mjs',
      'dist/host/caps/http/net-worker.js',
      // Worker placement's thread entry.
      'dist/host/isolate/worker-main.js',
      // keel new and keel build: the SDK's code, templates, headers and crates, Keel's WIT.
      'dist/scripts/sdk/new.js',
      'dist/scripts/sdk/build.js',
      'dist/scripts/as-sdk/build.js',
      'sdk/templates/world.wit',
      'sdk/templates/as/index.ts',
      'sdk/c/keel.h',
      'wit/keel-kernel/worlds.wit',
      'wit-types/keel-kernel.wasm',
      'wit-types/wasi-io.wasm',
      'wit-types/wasi-http.wasm',
    ]) {
      expect(paths).toContain(needed);
    }
    // No sources, tests, benches, guests, scripts or source maps.
    const stray = paths.filter(
      (p) =>
        /^(test|bench|guests|scripts|host|node_modules|\.keel-cache)\//.test(p) ||
        /^dist\/(test|bench)\//.test(p) ||
        /^dist\/scripts\/(?!sdk\/|as-sdk\/)/.test(p) ||
        p.endsWith('.map') ||
        p.endsWith('.test.js'),
    );
    expect(stray).toEqual([]);
    // One bundle for every command, `keel run` included (a second for `keel run` repeated most of it).
    expect(paths.filter((p) => p.endsWith('.cjs'))).toEqual(['dist/host/cli/keel-cli.cjs']);
    // No guests: the only components are the WIT types Keel's providers declare (keel:kernel's and
    // WASI 0.2's packages), read as data.
    expect(paths.filter((p) => p.endsWith('.wasm')).sort()).toEqual([
      'wit-types/keel-kernel.wasm',
      'wit-types/wasi-cli.wasm',
      'wit-types/wasi-clocks.wasm',
      'wit-types/wasi-filesystem.wasm',
      'wit-types/wasi-http.wasm',
      'wit-types/wasi-io.wasm',
      'wit-types/wasi-random.wasm',
      'wit-types/wasi-sockets.wasm',
    ]);
    // Nor WASI's WIT sources (vendor/): only what they are built into.
    expect(paths.filter((p) => p.startsWith('vendor/'))).toEqual([]);
    expect(packed.unpackedSize).toBeLessThan(4 * 1024 * 1024);
    // `npm pack` and `npm publish` start from a clean dist/ (nothing stale ships) and build it.
    expect(pkg.scripts.prepack).toContain("rmSync('dist'");
    expect(pkg.scripts.prepare).toBe('npm run build');
  });

  it('installs offline and serves the library: import { Kernel } from "keel"', () => {
    writeFileSync(
      join(app, 'lib.mjs'),
      `import { readFileSync } from 'node:fs';
import { Kernel, KeelError } from 'keel';
const kernel = new Kernel({ cacheDir: './cache' });
const sandbox = await kernel.spawn(await kernel.load(readFileSync('trivial.wasm')));
console.log(await sandbox.call('run'), typeof KeelError);
await kernel.close();
`,
    );
    const r = run(process.execPath, ['lib.mjs']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('42 function\n');
    expect(r.status).toBe(0);
    // The types come along.
    expect(existsSync(join(app, 'node_modules/keel/dist/host/index.d.ts'))).toBe(true);
    // With their doc comments, which TypeScript users read in their editors; the compiled
    // modules have none (scripts/strip-comments.ts: a fifth of their bytes).
    const installed = join(app, 'node_modules/keel/dist/host/kernel');
    expect(readFileSync(join(installed, 'kernel.d.ts'), 'utf8')).toMatch(/^\s*\/\*\* .+\*\/$/m);
    expect(readFileSync(join(installed, 'kernel.js'), 'utf8')).not.toMatch(/^\s*\/\*\*/m);
    // The build stamped the planner's fingerprint, which keys the disk cache (an unstamped one
    // would cache no plan: scripts/stamp-planner.ts).
    const stamp = join(app, 'node_modules/keel/dist/host/abi/plan-fingerprint.js');
    expect(readFileSync(stamp, 'utf8')).toMatch(/PLANNER_FINGERPRINT = '[0-9a-f]{64}'/);
  });

  it('runs the keel binary with npx: --help, --version, a core module and a component', () => {
    const help = run('npx', ['--offline', 'keel', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: keel <command>');
    expect(help.stderr).toBe('');
    const version = run('npx', ['--offline', 'keel', '--version']);
    expect(version.stdout).toBe(`keel ${pkg.version}\n`);
    const core = run('npx', ['--offline', 'keel', 'run', 'trivial.wasm', '--invoke', 'run', '--json']);
    expect(core.status).toBe(0);
    expect(JSON.parse(core.stdout.trim())).toMatchObject({ ok: true, value: 42 });
    // A component: the loader's generator (jco) must have come with the package's dependencies.
    const hello = join(ROOT, 'guests/as/hello/hello.wasm');
    const component = run('npx', [
      '--offline',
      'keel',
      'run',
      hello,
      '--grant',
      'keel:kernel/log',
      '--invoke',
      'greet',
      '--args',
      '["npm"]',
      '--cache-dir',
      'cache',
    ]);
    expect(component.stdout).toBe('Hello, npm!\n');
    expect(component.stderr).toContain('greeted npm');
    expect(component.status).toBe(0);
    // From the bundle (the compiled modules, bin/keel.js's fallback, keep no code cache).
    const cached = readdirSync(join(app, 'cache/.compile-cache'));
    expect(cached.filter((name) => name.endsWith('-run.v8'))).toHaveLength(1);
  });

  it('writes a project with keel new, builds it with keel build and runs it in a worker', () => {
    const created = run('npx', ['--offline', 'keel', 'new', 'as', 'hello', '--json']);
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    expect(JSON.parse(created.stdout.trim())).toMatchObject({ ok: true, name: 'hello' });
    expect(readFileSync(join(app, 'hello/wit/world.wit'), 'utf8')).toContain('include keel:kernel/actor');
    const built = run('npx', ['--offline', 'keel', 'build', 'hello', '--json']);
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    const output = (JSON.parse(built.stdout.trim()) as { output: string }).output;
    expect(output).toBe(join(app, 'hello/hello.wasm'));
    const ran = run('npx', [
      '--offline',
      'keel',
      'run',
      output,
      '--placement',
      'worker',
      '--grant',
      'keel:kernel/log',
      '--grant',
      'keel:kernel/ipc',
      '--grant',
      'keel:kernel/events',
      '--invoke',
      'keel:kernel/handler#handle',
      '--args',
      JSON.stringify([[...new TextEncoder().encode('npm')]]),
      '--cache-dir',
      'cache',
      '--json',
    ]);
    expect(ran.stderr).toBe('');
    expect(ran.status).toBe(0);
    const value = (JSON.parse(ran.stdout.trim()) as { value: number[] }).value;
    expect(new TextDecoder().decode(Uint8Array.from(value))).toBe('hello, npm');
    // The core module, in a worker too.
    const core = run('npx', [
      '--offline',
      'keel',
      'run',
      'trivial.wasm',
      '--placement',
      'worker',
      '--invoke',
      'run',
    ]);
    expect(core.stdout).toBe('42\n');
    expect(core.status).toBe(0);
    // Four processes, one of them a compiler: about 20 s on a quiet machine, over 60 s at load 12.
  }, 240_000);

  it('names the npm package a build needs when it is missing (esbuild, for JavaScript)', () => {
    expect(run('npx', ['--offline', 'keel', 'new', 'js', 'hello-js']).status).toBe(0);
    const built = run('npx', ['--offline', 'keel', 'build', 'hello-js', '--json']);
    expect(built.status).toBe(1);
    const error = (JSON.parse(built.stdout.trim()) as { error: Record<string, unknown> }).error;
    expect(error).toMatchObject({
      code: 'toolchain-missing',
      tool: 'esbuild',
      manager: 'npm',
      packages: [`esbuild@${pkg.devDependencies.esbuild}`],
    });
    const human = run('npx', ['--offline', 'keel', 'build', 'hello-js']);
    expect(human.status).toBe(1);
    expect(human.stderr).toContain('npm install --save-dev esbuild@');
    expect(human.stderr).not.toMatch(/\n\s+at /);
  });

  it('says that keel demo needs a repository checkout, with exit status 2', () => {
    const demo = run('npx', ['--offline', 'keel', 'demo']);
    expect(demo.status).toBe(2);
    expect(demo.stderr).toContain('keel demo runs the sample guests of a Keel repository checkout');
    expect(demo.stderr).not.toMatch(/\n\s+at /);
  });
});
