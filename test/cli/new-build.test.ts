/**
 * `keel new` and `keel build`: every template builds with its toolchain (skipped where the
 * toolchain is not installed; `.ci/run` installs them) and runs in a real kernel: it answers a
 * direct call, logs a message it receives and publishes an event. A missing toolchain is named
 * with the Debian package that provides it.
 */
// @alone: builds every template in this process (componentize-js: 1.6 GB of RSS at the peak).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GrantInput, Kernel } from '../../host/index.js';
import { buildProject } from '../../scripts/sdk/build.js';
import { createProject, projectName } from '../../scripts/sdk/new.js';
import { readProject } from '../../scripts/sdk/project.js';
import {
  CLANG,
  checkClangTarget,
  checkRustTarget,
  ESBUILD,
  findNpmTool,
  findTool,
  RUSTC,
} from '../../scripts/sdk/toolchain.js';
import { BIN, keel, lastJson } from './harness.js';

const has = (tool: typeof CLANG) => {
  try {
    findTool(tool);
    return true;
  } catch {
    return false;
  }
};
const LANGS = [
  { lang: 'as', available: true },
  { lang: 'js', available: true },
  { lang: 'ts', available: true },
  { lang: 'c', available: has(CLANG) },
  { lang: 'rust', available: has(RUSTC) },
] as const;

const WASI_START: GrantInput[] = [
  'wasi:cli/stdin',
  'wasi:cli/stdout',
  'wasi:cli/stderr',
  'wasi:cli/exit',
  { interface: 'wasi:cli/environment', scope: { env: {} } },
];

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'keel-new-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('keel new', () => {
  it('names the project after its folder, as a WIT identifier', () => {
    expect(projectName('/x/My Plugin_2')).toBe('my-plugin-n2');
    expect(projectName('/x/42')).toBe('n42');
    expect(projectName('/x/---')).toBe('guest');
  });

  it('refuses a folder that is not empty and an unknown language', () => {
    createProject('c', join(scratch, 'taken'));
    expect(() => createProject('c', join(scratch, 'taken'))).toThrow(/not empty/);
    expect(() => createProject('cobol', join(scratch, 'other'))).toThrow(/unknown language/);
  });
});

/** A stub compiler: a shell script answering the target queries with `answer`. */
function stub(name: string, answer: string): string {
  const file = join(scratch, name);
  writeFileSync(file, `#!/bin/sh\necho '${answer}'\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('a compiler without the wasm32-wasi parts', () => {
  it('names the Debian package that is missing', () => {
    expect(() => checkClangTarget(stub('clang-no-libc', 'libc.a'))).toThrow(
      /no C library for wasm32-wasi.*apt-get install wasi-libc/,
    );
    expect(() => checkClangTarget(stub('clang-all-there', '/bin/sh'))).not.toThrow();
    const noRuntime = join(scratch, 'clang-no-runtime');
    writeFileSync(
      noRuntime,
      '#!/bin/sh\ncase "$2" in -print-file-name=*) echo /bin/sh;; *) echo /nonexistent.a;; esac\n',
    );
    chmodSync(noRuntime, 0o755);
    expect(() => checkClangTarget(noRuntime)).toThrow(
      /no compiler runtime for wasm32.*apt-get install libclang-rt-dev-wasm32/,
    );
    expect(() => checkRustTarget(stub('rustc-no-std', join(scratch, 'no-such-libdir')))).toThrow(
      /no standard library for wasm32-wasi.*apt-get install rustc libstd-rust-dev-wasm32/,
    );
    expect(() => checkRustTarget(stub('rustc-std', scratch))).not.toThrow();
    if (has(CLANG)) expect(() => checkClangTarget(findTool(CLANG))).not.toThrow();
    if (has(RUSTC)) expect(() => checkRustTarget(findTool(RUSTC))).not.toThrow();
  });
});

describe('a missing toolchain', () => {
  it('is named with the Debian package that provides it', () => {
    expect(() => findTool(CLANG, { PATH: '/nonexistent' })).toThrow(
      /clang was not found.*apt-get install clang lld wasi-libc libclang-rt-dev-wasm32/,
    );
    expect(() => findTool({ ...RUSTC, prefer: [] }, { PATH: '/nonexistent' })).toThrow(
      /apt-get install rustc libstd-rust-dev-wasm32/,
    );
  });
});

describe.each(LANGS)('the $lang template', ({ lang, available }) => {
  it.skipIf(!available)(
    'builds, answers, logs and publishes',
    async () => {
      const dir = join(scratch, `hello-${lang}`);
      createProject(lang, dir);
      const progress: string[] = [];
      const { output, record } = await buildProject(readProject(dir), {
        onProgress: (l) => progress.push(l),
      });
      expect(progress[0]).toMatch(/resolving the WIT world/);
      expect(existsSync(output)).toBe(true);
      expect(JSON.parse(readFileSync(join(dir, `hello-${lang}.build.json`), 'utf8')).output).toBe(
        record.output,
      );
      const kernel = new Kernel({ cacheDir: join(scratch, `cache-${lang}`) });
      try {
        const logs: string[] = [];
        const published: string[] = [];
        kernel.on('guest:log', (e) => {
          logs.push(String(e.data?.message));
        });
        kernel.on('event:publish', (e) => {
          published.push(String(e.data?.topic));
        });
        const sandbox = await kernel.spawn(await kernel.load(output), {
          grants: [
            'keel:kernel/log',
            'keel:kernel/ipc',
            { interface: 'keel:kernel/events', scope: { publish: [`hello-${lang}.*`, `hello_${lang}.*`] } },
            // What wasi-libc's and Rust std's start-up import through the preview1 adapter
            // (stdio, an empty environment, exit); the handler itself uses none of it.
            ...WASI_START,
          ],
        });
        const answer = await sandbox.call('keel:kernel/handler#handle', new TextEncoder().encode('Keel'));
        expect(new TextDecoder().decode(new Uint8Array(answer as number[]))).toBe('hello, Keel');
        kernel.sched.send(sandbox.id, 'a message');
        await kernel.sched.run();
        expect(logs).toContain('message from host: a message');
        expect(published).toEqual([expect.stringMatching(/^hello[-_]/)]);
      } finally {
        await kernel.close();
      }
    },
    // componentize-js takes 15 s alone, minutes on a loaded machine.
    600_000,
  );
});

describe('the keel new and keel build commands', () => {
  it('have --help and refuse a bad invocation with exit 2 and one error line', () => {
    for (const command of ['new', 'build']) {
      const r = keel([command, '--help']);
      expect(r.status, command).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: keel ${command}`));
    }
    const none = keel(['new']);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^error\[invalid-argument\]: expected a language and a folder/m);
    const cobol = keel(['new', 'cobol', join(scratch, 'cobol')]);
    expect(cobol.status).toBe(2);
    expect(cobol.stderr).toMatch(/^error\[invalid-argument\]: unknown language "cobol"/m);
    expect(existsSync(join(scratch, 'cobol'))).toBe(false);
    expect(keel(['new', 'c', join(scratch, 'x'), '--nope']).status).toBe(2);
    const noProject = keel(['build', scratch, '--json']);
    expect(noProject.status).toBe(2);
    expect(lastJson(noProject.stdout)).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
  });

  it('keel new --json, then a missing toolchain: exit 1, named with its Debian packages', () => {
    const dir = join(scratch, 'cli-c');
    const created = keel(['new', 'c', dir, '--json']);
    expect(created.status).toBe(0);
    expect(lastJson(created.stdout)).toEqual({
      ok: true,
      language: 'c',
      dir,
      name: 'cli-c',
      files: ['keel.json', 'wit/world.wit', 'main.c'],
    });
    const env = { CC: join(scratch, 'no-such-clang') };
    const human = keel(['build', dir], { env });
    expect(human.status).toBe(1);
    expect(human.stderr).toMatch(/^error: clang: \$CC names .*no-such-clang, which does not exist/m);
    expect(human.stderr).toContain('apt-get install clang lld wasi-libc libclang-rt-dev-wasm32');
    const json = keel(['build', dir, '--json', '--quiet'], { env });
    expect(json.status).toBe(1);
    expect(lastJson(json.stdout)).toMatchObject({
      ok: false,
      error: {
        code: 'toolchain-missing',
        tool: 'clang',
        packages: ['clang', 'lld', 'wasi-libc', 'libclang-rt-dev-wasm32'],
        manager: 'apt',
      },
    });
    expect(json.stderr).toBe('');
  });

  it('builds from any working directory (an AssemblyScript project, with a relative path)', () => {
    // asc resolved the SDK's library folder against the working directory: outside the
    // repository's root every `import 'keel'` failed.
    expect(keel(['new', 'as', join(scratch, 'elsewhere')]).status).toBe(0);
    const r = spawnSync(process.execPath, [BIN, 'build', 'elsewhere'], {
      cwd: scratch,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 280_000,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/elsewhere\.wasm \(\d+ bytes\)\n$/);
    expect(r.status).toBe(0);
  }, 300_000);
});

describe('an npm toolchain that is not installed', () => {
  it('is named with the npm command that installs it', () => {
    expect(() => findNpmTool({ name: 'no-such-keel-toolchain', module: 'no-such-keel-toolchain' })).toThrow(
      /no-such-keel-toolchain was not found beside Keel: install it with `npm install --save-dev no-such-keel-toolchain`/,
    );
    // One Keel is tested with is named with its version.
    expect(() => findNpmTool({ name: 'esbuild', module: 'no-such-keel-toolchain/esbuild' })).toThrow(
      /`npm install --save-dev esbuild@\d+\.\d+\.\d+`/,
    );
    expect(findNpmTool(ESBUILD)).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
