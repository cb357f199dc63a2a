#!/bin/bash
# usage: run-ab.sh ROUNDS MEASURES TREE...   the bench's rows for keel and plain, trees alternated
rounds=$1; shift; measures=$1; shift
for r in $(seq 1 $rounds); do
  for t in "$@"; do
    l0=$(cut -d' ' -f1 /proc/loadavg)
    out=$(cd $t && node --expose-gc dist/bench/run.js --only wasm --no-write --subjects keel,plain --measures $measures 2>&1 | grep '^| ' | grep -v '^| measure\|---')
    echo "== $(basename $t) round $r load $l0-$(cut -d' ' -f1 /proc/loadavg) $(date +%H:%M)"
    echo "$out"
  done
done
