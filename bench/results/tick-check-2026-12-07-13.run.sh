#!/bin/sh
# usage: run.sh COMMIT -> prints noop and tick cells of Keel (fn) and unmetered, full wasm group
c=$1; d=/tmp/lead13/bis/w-$c
cd /work/main && git worktree add -q --detach $d $c 2>/dev/null; ln -sf /work/main/node_modules $d/node_modules
cd $d && npx tsc -p tsconfig.json > /dev/null 2>&1
timeout 600 node --expose-gc dist/bench/run.js --only wasm --no-write > $d.log 2>&1
echo "$c $(grep -E '^\| Keel \(fn\)' $d.log | cut -d'|' -f3,7) / unmetered $(grep -E '^\| Keel unmetered \(fn\)' $d.log | cut -d'|' -f3,7)"
cd /work/main && git worktree remove --force $d
