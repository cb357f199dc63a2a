#!/bin/bash
# qb.sh TREE... : the quick wasm bench from each tree in turn; keeps each run's output
P=/tmp/perf-fn13
for t in "$@"; do
  l0=$(cut -d' ' -f1 /proc/loadavg)
  out=$(cd $P/$t && node --expose-gc dist/bench/run.js --quick --only wasm --no-write 2>&1)
  l1=$(cut -d' ' -f1 /proc/loadavg)
  n=$(ls $P/qb-* 2>/dev/null | wc -l)
  echo "$out" > $P/qb-$n-$t.txt
  echo "== $t $(date -u +%H:%M) load $l0 -> $l1"
  echo "$out" | grep -E "^\| (Subject|subject|plain V8|Keel \(fn\)|Keel unmetered \(fn\)) " | cut -c1-400
done
