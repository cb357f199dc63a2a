#!/bin/bash
# fr.sh REPS TREE... : the brief's command, one process per tree, alternated (order rotated); NODEFLAGS extra
REPS=$1; shift
for r in $(seq 1 $REPS); do trees=("$@"); n=${#trees[@]}; k=$((r % n))
  for i in $(seq 0 $((n-1))); do t=${trees[$(((i+k)%n))]}
    l0=$(cut -d' ' -f1 /proc/loadavg)
    out=$(cd $t && node --expose-gc $NODEFLAGS dist/bench/run.js --only wasm --no-write --subjects keel-invoke,keel-invoke-timed --measures ${MEASURES:-wasm.call} 2>&1)
    l1=$(cut -d' ' -f1 /proc/loadavg)
    row() { echo "$out" | grep -F "| $1" | head -1 | awk -F'|' '{gsub(/ ±[^|]*/,"",$4); gsub(/ ±[^|]*/,"",$5); gsub(/·.*/,"",$4); gsub(/·.*/,"",$5); printf "%s/%s", $4, $5}' | tr -s ' '; }
    echo "rep $r $(basename $t) load $l0->$l1 | noop$(row 'call noop()') | add$(row 'call add(u32, u32) -> u32 (scalars)') | held$(row 'call add(u32, u32) -> u32, the function') | str$(row 'call shout') | host$(row 'guest-to-host')"
  done; done
