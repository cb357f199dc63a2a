#!/bin/sh
# A = the tree before 0b7b127 (host/abi and the providers as at its parent), B = with it. Alternated.
cd /work/wt/sec16
run() { timeout 600 node --expose-gc dist/bench/run.js --only wasm --no-write > /tmp/sec16-bench-$1.log 2>&1; echo "$1 $(cat /proc/loadavg | cut -d' ' -f1-3) $(grep -E '^\| Keel \(fn\)' /tmp/sec16-bench-$1.log | cut -d'|' -f3,7)"; }
for r in 1 2; do
  git checkout -q HEAD~1 -- host/abi/context.ts host/abi/codec.ts host/caps/wasi-cli.ts host/caps/wasi-random.ts host/caps/wasi-http.ts
  npm run build > /dev/null 2>&1; run A$r
  git checkout -q HEAD -- host/abi/context.ts host/abi/codec.ts host/caps/wasi-cli.ts host/caps/wasi-random.ts host/caps/wasi-http.ts
  npm run build > /dev/null 2>&1; run B$((r+1))
done
git status --short
