/**
 * `npm run build`'s last step: the `keel` command as a few ES modules instead of the hundred and
 * more that tsc writes. Node's ES module loader costs about a millisecond per file (resolve,
 * read, compile, link), which was most of what `keel run` spent before running anything
 * (bench/results/startup-latest.md). esbuild (a devDependency: this runs where the package is
 * built, never where it is installed) bundles dist/host/cli/main.js with everything it imports
 * from Keel, leaving packages (zod, pino, yaml, jco, ...) and Node's modules as imports; the
 * commands and the SDK's build steps stay in chunks of their own, loaded when a command needs
 * them.
 *
 * The bundle lives beside main.js in dist/host/cli/ (`keel-bundle*.js`), so that paths the code
 * computes from `import.meta.url` (package.json, the demo's guests, the worker scripts) mean the
 * same in the bundle as in main.js. bin/keel.js runs the bundle when it is there, main.js
 * otherwise. Files the previous build left are removed first.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../host/cli/', import.meta.url));
const PREFIX = 'keel-bundle';

for (const name of readdirSync(cli)) {
  if (name.startsWith(PREFIX)) rmSync(join(cli, name));
}

const esbuild = await import('esbuild');
await esbuild.build({
  entryPoints: { [PREFIX]: join(cli, 'main.js') },
  outdir: cli,
  chunkNames: `${PREFIX}-[hash]`,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
  legalComments: 'none',
});
