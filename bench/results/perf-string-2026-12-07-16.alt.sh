#!/bin/bash
# alt.sh ROUNDS OUT TREE... : the brief's command, trees alternated, the shout rows and the load kept.
R=$1; OUT=$2; shift 2
for r in $(seq 1 $R); do
  for t in "$@"; do
    l=$(cut -d' ' -f1-3 /proc/loadavg)
    (cd $t && node --expose-gc dist/bench/run.js --only wasm --no-write --subjects keel,keel-unmetered,plain --measures wasm.call 2>&1) > /tmp/perf-str16/last.txt
    row=$(grep '^| call shout' /tmp/perf-str16/last.txt)
    echo "$r $t load[$l] $row" | tee -a $OUT
  done
done
