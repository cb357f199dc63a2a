#!/usr/bin/env node
// The `keel` command. The CLI is compiled to dist/ on `npm install` (the `prepare` script).
import { main } from '../dist/host/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
