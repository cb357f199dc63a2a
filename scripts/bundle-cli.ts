/**
 * `npm run build`'s last step: the `keel` command as CommonJS bundles in dist/host/cli/, instead
 * of the hundred and more ES modules tsc writes. Node's ES module loader costs about a
 * millisecond per file (resolve, read, compile, link) and loads a dozen modules of its own
 * first; bin/keel.js (CommonJS) compiles one bundle with a V8 code cache instead (docs/cli.md,
 * Start-up). esbuild (a devDependency: this runs where the package is built, never where it is
 * installed) bundles dist/host/cli/main.js with everything it imports from Keel, leaving
 * packages (zod, pino, yaml, jco, ...) and Node's modules outside. A module the CLI imports
 * dynamically (a command, the SDK's build steps) is initialised only when it is first imported,
 * as with the ES modules.
 *
 * - keel-run.cjs: what `keel run` needs (the other commands stay outside; bin/keel.js runs it
 *   for `keel run` only). A third smaller than the whole, so less to read and decode at each start.
 * - keel-cli.cjs: every command.
 *
 * The bundles live beside main.js, so that paths the code computes from `import.meta.url`
 * (package.json, the demo's guests, the worker scripts) mean the same in a bundle as in
 * main.js: `import.meta.url` is the bundle's own URL, and `import.meta.resolve(name)` resolves
 * a package as an ES module beside it would (keel-cli-resolve.mjs, required when first used).
 * A bundle's first line names its build (a digest of the rest), which its code cache is keyed
 * by. Files the previous build left are removed first.
 *
 * The worker sandbox's script is bundled too, into one ES module beside it
 * (dist/host/isolate/worker-bundle.js): each worker sandbox is a fresh thread that loads it, and
 * loading the modules it imports one by one was most of a worker's start-up beyond the thread's
 * own (bench/results/placement-*.md, spawn). host/isolate/pool.ts starts workers from the bundle
 * when it is there and not older than worker-main.js.
 */
import { createHash } from 'node:crypto';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../host/cli/', import.meta.url));
/** `import.meta.resolve` for the bundles: an ES module beside them, loaded (by require) when first asked. */
const RESOLVE = 'keel-cli-resolve.mjs';
const BUNDLES: { file: string; outside: string[] }[] = [
  { file: 'keel-cli.cjs', outside: [] },
  {
    file: 'keel-run.cjs',
    outside: ['./inspect.js', './up.js', './demo.js', './new.js', './build.js', './cluster.js'],
  },
];

for (const name of readdirSync(cli)) {
  // keel-bundle*.js: the ES module chunks earlier builds wrote.
  const ours = name === RESOLVE || BUNDLES.some((b) => b.file === name);
  if (name.startsWith('keel-bundle') || ours) rmSync(join(cli, name));
}

const esbuild = await import('esbuild');

async function bundle(file: string, outside: string[]): Promise<void> {
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
    external: outside,
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
  const build = createHash('sha256').update(code).digest('hex').slice(0, 16);
  writeFileSync(join(cli, file), `// keel-build ${build}\n${code}`);
}

for (const { file, outside } of BUNDLES) await bundle(file, outside);
writeFileSync(
  join(cli, RESOLVE),
  [
    '// import.meta.resolve for the CLI bundles (CommonJS, which has none): the same answers, as an ES',
    '// module in the same directory gets them, with the conditions of `import`.',
    'export const resolve = (specifier) => import.meta.resolve(specifier);',
    '',
  ].join('\n'),
);

const isolate = fileURLToPath(new URL('../host/isolate/', import.meta.url));
await esbuild.build({
  entryPoints: { 'worker-bundle': join(isolate, 'worker-main.js') },
  outdir: isolate,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
  legalComments: 'none',
  // As the CLI's bundles: every worker thread reads and compiles it at start, and it was the
  // package's largest file but two (310 KB with its comments).
  minifyWhitespace: true,
  minifySyntax: true,
});
