#!/usr/bin/env node
// The `keel` command. `npm run build` (run on install from the repository by `prepare`, and
// before packing by `prepack`) compiles the CLI to dist/ and bundles it into a few files
// (dist/host/cli/keel-bundle.js, scripts/bundle-cli.ts): Node loads those much faster than the
// hundred and more modules tsc writes. A bundle older than the compiled CLI (a build by tsc alone)
// is stale, and the compiled modules run instead.
import { existsSync, statSync } from 'node:fs';

const bundle = new URL('../dist/host/cli/keel-bundle.js', import.meta.url);
const compiled = new URL('../dist/host/cli/main.js', import.meta.url);
const fresh = existsSync(bundle) && statSync(bundle).mtimeMs >= statSync(compiled).mtimeMs;
const { main } = await import(fresh ? bundle.href : compiled.href);

// Every line was written synchronously, so exiting at once loses nothing; it also ends a read
// of a terminal that a guest started but never finished.
process.exit(await main(process.argv.slice(2)));
