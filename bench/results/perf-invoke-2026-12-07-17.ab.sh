#!/bin/bash
# perf-invoke-2026-12-07-17.ab.sh REPS TREE...: the brief's command (SUBJECTS, MEASURES to change), one process per tree, alternated (order rotated)
REPS=$1; shift
for r in $(seq 1 $REPS); do trees=("$@"); n=${#trees[@]}; k=$((r % n))
  for i in $(seq 0 $((n-1))); do t=${trees[$(((i+k)%n))]}
    l0=$(cut -d' ' -f1 /proc/loadavg)
    out=$(cd $t && node --expose-gc $NODEFLAGS dist/bench/run.js --only wasm --no-write --subjects ${SUBJECTS:-keel-invoke,plain} --measures ${MEASURES:-wasm.call} 2>&1)
    l1=$(cut -d' ' -f1 /proc/loadavg)
    row() { echo "$out" | grep -F "| $1" | head -1 | awk -F'|' '{x=$4; gsub(/ ±[^|]*/,"",x); gsub(/·.*/,"",x); printf "%s", x}' | tr -s ' '; }
    echo "rep $r $(basename $t) load $l0->$l1 | noop$(row 'call noop()') | add$(row 'call add(u32, u32) -> u32 (scalars)') | held$(row 'call add(u32, u32) -> u32, the function') | str$(row 'call shout') | host$(row 'guest-to-host')"
  done; done
