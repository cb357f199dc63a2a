#!/bin/bash
# flags.sh REPS TREE FLAGSET...: the brief's command (noop, add measures) per V8 flag set, alternated; prints add untimed
REPS=$1; T=$2; shift 2
for r in $(seq 1 $REPS); do for f in "$@"; do
  out=$(cd $T && node --expose-gc $f dist/bench/run.js --only wasm --no-write --subjects keel-invoke,keel-invoke-timed --measures ${MEASURES:-wasm.call.noop,wasm.call.add} 2>&1)
  row() { echo "$out" | grep -F "| $1" | head -1 | awk -F'|' '{gsub(/ ±[^|]*/,"",$4); gsub(/ ±[^|]*/,"",$5); gsub(/·.*/,"",$4); gsub(/·.*/,"",$5); printf "%s/%s", $4, $5}' | tr -s ' '; }
  echo "rep $r [$f] load $(cut -d' ' -f1 /proc/loadavg) | noop$(row 'call noop()') | add$(row 'call add(u32, u32) -> u32 (scalars)') | held$(row 'call add(u32, u32) -> u32, the function')"
done; done
