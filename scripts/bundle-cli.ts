/**
 * `npm run build`'s last step: the `keel` command as a CommonJS bundle in dist/host/cli/, instead
 * of the hundred and more ES modules tsc writes. Node's ES module loader costs about a
 * millisecond per file (resolve, read, compile, link) and loads a dozen modules of its own
 * first; bin/keel.js (CommonJS) compiles one bundle with a V8 code cache instead (docs/cli.md,
 * Start-up). esbuild (a devDependency: this runs where the package is built, never where it is
 * installed) bundles dist/host/cli/main.js with everything it imports from Keel, leaving
 * packages (zod, pino, yaml, jco, ...) and Node's modules outside. A module the CLI imports
 * dynamically (a command, the SDK's build steps) is initialised only when it is first imported,
 * as with the ES modules.
 *
 * One bundle, keel-cli.cjs, runs every command, `keel run` included. A second one for `keel run`
 * alone (the other commands left out) was a third smaller, but the package shipped Keel twice
 * (560 KB more); with its code cache, `keel run` from the whole bundle costs the same CPU within
 * the noise (the commands it does not run are initialised only when imported), and about 5 %
 * more without the cache, the first run of a build (docs/cli.md, Start-up).
 *
 * The bundle lives beside main.js, so that paths the code computes from `import.meta.url`
 * (package.json, the demo's guests, the worker scripts) mean the same in a bundle as in
 * main.js: `import.meta.url` is the bundle's own URL, and `import.meta.resolve(name)` resolves
 * a package as an ES module beside it would (keel-cli-resolve.mjs, required when first used).
 * The bundle's first line names its build (a digest of the rest), which its code cache is keyed
 * by. Files the previous build left are removed first (keel-run.cjs too, which earlier builds
 * wrote).
 *
 * The worker sandbox's script is bundled too, into one ES module beside it
 * (dist/host/isolate/worker-bundle.js): each worker sandbox is a fresh thread that loads it, and
 * loading the modules it imports one by one was most of a worker's start-up beyond the thread's
 * own (bench/results/placement-*.md, spawn). host/isolate/pool.ts starts workers from the bundle
 * when it is there and not older than worker-main.js.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../host/cli/', import.meta.url));
/** `import.meta.resolve` for the bundle: an ES module beside it, loaded (by require) when first asked. */
const RESOLVE = 'keel-cli-resolve.mjs';
const BUNDLE = 'keel-cli.cjs';

for (const name of readdirSync(cli)) {
  // keel-bundle*.js: the ES module chunks earlier builds wrote; keel-run.cjs: their bundle for `keel run`.
  const ours = name === RESOLVE || name === BUNDLE || name === 'keel-run.cjs';
  if (name.startsWith('keel-bundle') || ours) rmSync(join(cli, name));
}

const esbuild = await import('esbuild');

async function bundle(file: string): Promise<void> {
  const result = await esbuild.build({
    entryPoints: [join(cli, 'main.js')],
    outfile: join(cli, file),
    bundle: true,
    write: false,
    metafile: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    legalComments: 'none',
    // Comments and spaces go: the file is read and decoded on every start.
    minifyWhitespace: true,
    minifySyntax: true,
    define: { 'import.meta.url': '__keelUrl', 'import.meta.resolve': '__keelResolve' },
    banner: {
      js: [
        '"use strict";',
        'const __keelUrl = require("node:url").pathToFileURL(__filename).href;',
        `const __keelResolve = (specifier) => require("./${RESOLVE}").resolve(specifier);`,
      ].join('\n'),
    },
  });

  // A dynamic `import()` in a script compiled by node:vm needs a callback Node still calls
  // experimental (and drops when the script comes from a code cache): the bundle calls
  // `__keelImport`, which bin/keel.js gives it (its own `import()`, relative to the bundle),
  // instead. The calls rewritten must be exactly the dynamic imports esbuild reports.
  const expected = Object.values(result.metafile.outputs)
    .flatMap((output) => output.imports)
    .filter((i) => i.kind === 'dynamic-import')
    .map((i) => i.path);
  const found: string[] = [];
  const IMPORT = /(?<![\w$.])import\((?=["'`])/g;
  const code = result.outputFiles[0]!.text.replace(IMPORT, (_match, offset: number, text: string) => {
    found.push(/^import\((["'`])([^"'`]*)\1/.exec(text.slice(offset))?.[2] ?? '?');
    return '__keelImport(';
  });
  if (JSON.stringify(found) !== JSON.stringify(expected)) {
    throw new Error(
      `bundle-cli: the dynamic imports rewritten in ${file} (${found.join(', ')}) are not the ones esbuild reports (${expected.join(', ')})`,
    );
  }
  writeBundle(join(cli, file), code, join(cli, 'main.js'));
}

/**
 * Writes a bundle whose first line names its build (a digest of the rest) and stamps the
 * compiled entry it was made from with the same line: bin/keel.js and host/isolate/pool.ts run
 * a bundle only when its entry carries its stamp. tsc writes the entry again without one, so a
 * build by tsc alone leaves the bundle stale, as it should; a file's time cannot say so (npm
 * writes an installed package's files in its own order, and a bundle written a moment before
 * its entry was taken as stale: the installed CLI ran the compiled modules). The stamp goes
 * before the entry's `sourceMappingURL` line, which stays last; no line of code moves.
 */
function writeBundle(file: string, code: string, entry: string): void {
  const build = createHash('sha256').update(code).digest('hex').slice(0, 16);
  writeFileSync(file, `// keel-build ${build}\n${code}`);
  const text = readFileSync(entry, 'utf8').replace(/\n\/\/ keel-build \w+(?=\n)/g, '');
  const map = text.lastIndexOf('\n//# sourceMappingURL=');
  const at = map < 0 ? text.length : map;
  writeFileSync(entry, `${text.slice(0, at)}\n// keel-build ${build}${text.slice(at)}`);
}

await bundle(BUNDLE);
writeFileSync(
  join(cli, RESOLVE),
  [
    '// import.meta.resolve for the CLI bundle (CommonJS, which has none): the same answers, as an ES',
    '// module in the same directory gets them, with the conditions of `import`.',
    'export const resolve = (specifier) => import.meta.resolve(specifier);',
    '',
  ].join('\n'),
);

const isolate = fileURLToPath(new URL('../host/isolate/', import.meta.url));
const worker = await esbuild.build({
  entryPoints: [join(isolate, 'worker-main.js')],
  outfile: join(isolate, 'worker-bundle.js'),
  write: false,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
  legalComments: 'none',
  // As the CLI's bundle: every worker thread reads and compiles it at start, and it was the
  // package's largest file but two (310 KB with its comments).
  minifyWhitespace: true,
  minifySyntax: true,
});
writeBundle(join(isolate, 'worker-bundle.js'), worker.outputFiles[0]!.text, join(isolate, 'worker-main.js'));
