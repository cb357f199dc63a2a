#!/bin/sh
# benchab.sh ROUNDS TREE...: the brief's spawn command in each tree, alternated; prints the spawn rows
R=$1; shift
for r in $(seq 1 $R); do for t in "$@"; do
  l=$(cut -d' ' -f1 /proc/loadavg)
  out=$(cd $t && node --expose-gc dist/bench/run.js --only wasm --no-write --subjects keel,plain,jco-1.12 --measures wasm.spawn 2>&1 | grep '^| spawn')
  echo "$(date +%H:%M) load $l $(basename $t): $out"
done; done
