#!/bin/bash
# brief.sh ROUNDS TREE... : the brief's command from each tree, alternated; prints load and the wasm.call rows
R=$1; shift
for r in $(seq 1 $R); do for t in "$@"; do
  l=$(cut -d' ' -f1 /proc/loadavg)
  out=$(cd $t && node --expose-gc dist/bench/run.js --only wasm --no-write --subjects keel,keel-unmetered --measures wasm.call 2>&1)
  echo "=== $(basename $t) round $r load $l-$(cut -d' ' -f1 /proc/loadavg)"
  echo "$out" | grep -E "^\| call|^\| guest"
done; done
