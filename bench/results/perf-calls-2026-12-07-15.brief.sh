#!/bin/bash
# brief.sh ROUNDS TREE... : the brief's command per tree, alternated; prints the call rows' ratios
n=$1; shift
for r in $(seq 1 $n); do for t in "$@"; do
  l0=$(cut -d' ' -f1 /proc/loadavg)
  out=$(cd /tmp/perf-fn15/$t && node --expose-gc dist/bench/run.js --only wasm --no-write --subjects keel --measures wasm.call 2>&1 | grep "^| call\|^| guest")
  l1=$(cut -d' ' -f1 /proc/loadavg)
  echo "$t $(date -u +%H:%M:%S) load $l0-$l1 $(echo "$out" | sed -E 's/^\| ([a-z-]+ [a-z]+)[^|]*\| ([0-9.]+ ns)[^|]*\| ([0-9.]+ ns)[^*]*\*\*([0-9.]+x)\*\*.*/\1: \2 \3 \4;/' | tr '\n' ' ')"
done; done
