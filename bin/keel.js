#!/usr/bin/env node
// The `keel` command. The CLI is compiled to dist/ by `npm run build` (run on install from the
// repository by `prepare`, and before packing by `prepack`).
import { main } from '../dist/host/cli/main.js';

// Every line was written synchronously, so exiting at once loses nothing; it also ends a read
// of a terminal that a guest started but never finished.
process.exit(await main(process.argv.slice(2)));
