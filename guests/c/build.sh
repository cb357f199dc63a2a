#!/usr/bin/env bash
# Builds the C test guests: Debian clang + wasi-libc (preview1), then jco's preview1 command
# adapter turns each core module into a wasi:cli/run component. Outputs are committed in
# build/; npm test does not run this script.
#   apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p build
for src in hello env files fsprobe; do
  clang --target=wasm32-wasi --sysroot=/usr -O2 -Wall -o "build/$src.core.wasm" "$src.c"
  node --input-type=module -e "
    import { readFileSync, writeFileSync } from 'node:fs';
    import { componentNew } from '@bytecodealliance/jco-transpile/wasm-tools';
    const adapter = readFileSync(new URL('../lib/wasi_snapshot_preview1.command.wasm', import.meta.resolve('@bytecodealliance/jco')));
    const core = readFileSync('build/$src.core.wasm');
    writeFileSync('build/$src.wasm', await componentNew(core, [['wasi_snapshot_preview1', adapter]]));
  "
  rm "build/$src.core.wasm"
  echo "built build/$src.wasm"
done
