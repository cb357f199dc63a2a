#!/usr/bin/env bash
# Builds the compute kernels (bench/compute/{c,as}/*) into bench/compute/wasm/ and records the
# expected checksums in kernels.json. The outputs are committed, so `npm run build` and the
# bench need none of this; only rebuilding does.
#
#   apt-get install -y clang lld      # Debian clang 14 + wasm-ld
#   bash bench/compute/build.sh
#
# C:  clang --target=wasm32 -O2 -mbulk-memory -nostdlib -Wl,--no-entry -Wl,--export=run
#     (bulk memory so that array clears become memory.fill instead of a libc memset call).
# AS: asc (the repository's pinned AssemblyScript) -O3 --noAssert --runtime stub.
# Checksums come from the C sources compiled natively (clang -O2 -DNATIVE_MAIN), an
# independent reference; the script fails if any wasm build disagrees with it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$here/wasm"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

names=$(node -e 'for (const k of require(process.argv[1]).kernels) console.log(k.name)' "$here/kernels.json")

for k in $names; do
  clang --target=wasm32 -O2 -mbulk-memory -nostdlib -Wl,--no-entry -Wl,--export=run \
    -o "$out/c-$k.wasm" "$here/c/$k.c"
  clang -O2 -DNATIVE_MAIN -o "$tmp/native-$k" "$here/c/$k.c" -lm
  (cd "$root" && npx --no-install asc "bench/compute/as/$k.ts" -O3 --noAssert --runtime stub \
    -o "$out/as-$k.wasm")
done

node --input-type=module - "$here" "$tmp" <<'JS'
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const [here, tmp] = process.argv.slice(2);
const file = join(here, 'kernels.json');
const spec = JSON.parse(readFileSync(file, 'utf8'));
for (const k of spec.kernels) {
  const sizes = [k.n, k.quickN];
  const native = execFileSync(join(tmp, `native-${k.name}`), sizes.map(String), { encoding: 'utf8' })
    .trim().split('\n').map(Number);
  k.checksum = Object.fromEntries(sizes.map((n, i) => [String(n), native[i]]));
  for (const lang of ['c', 'as']) {
    const bytes = readFileSync(join(here, 'wasm', `${lang}-${k.name}.wasm`));
    const abort = () => { throw new Error('abort'); };
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { abort } });
    for (const n of sizes) {
      const got = exports.run(n);
      if (got !== k.checksum[n]) throw new Error(`${lang}-${k.name}: run(${n}) = ${got}, native says ${k.checksum[n]}`);
    }
  }
  console.log(`${k.name}: checksums ${JSON.stringify(k.checksum)} (native C = C wasm = AS wasm)`);
}
spec.toolchain = {
  c: execFileSync('clang', ['--version'], { encoding: 'utf8' }).split('\n')[0],
  as: `asc ${execFileSync('npx', ['--no-install', 'asc', '--version'], { encoding: 'utf8' }).trim().replace(/^Version /, '')}`,
};
writeFileSync(file, `${JSON.stringify(spec, null, 2)}\n`);
JS
ls -l "$out"
