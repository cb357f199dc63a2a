#!/bin/bash
# perf-invoke-2026-12-07-18.ab.sh REPS TREE...: the brief's command, one process per tree, alternated (order rotated); full output kept in $OUT/
REPS=$1; shift; OUT=${OUT:-/tmp/perf-invoke18}; mkdir -p $OUT
for r in $(seq 1 $REPS); do trees=("$@"); n=${#trees[@]}; k=$((r % n))
  for i in $(seq 0 $((n-1))); do t=${trees[$(((i+k)%n))]}
    l0=$(cut -d' ' -f1 /proc/loadavg)
    out=$(cd $t && node --expose-gc $NODEFLAGS dist/bench/run.js --only wasm --no-write --subjects ${SUBJECTS:-keel-invoke,keel,plain} --measures ${MEASURES:-wasm.call} 2>&1)
    l1=$(cut -d' ' -f1 /proc/loadavg)
    echo "$out" > $OUT/$(basename $t).$r.txt
    row() { echo "$out" | grep -F "| $1" | head -1 | awk -F'|' '{for(i=2;i<=NF;i++){x=$i; gsub(/ ±[^|·]*/,"",x); gsub(/·.*/,"",x); gsub(/^ +| +$/,"",x); printf "%s/", x}}'; }
    echo "rep $r $(basename $t) load $l0->$l1 | noop $(row 'call noop()') | add $(row 'call add(u32, u32) -> u32 (scalars)') | held $(row 'call add(u32, u32) -> u32, the function') | str $(row 'call shout')"
  done; done
