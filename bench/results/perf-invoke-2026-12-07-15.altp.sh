#!/bin/bash
# altp.sh REPS TREE... : prof.mjs (CPU time, one process each: add then noop) per tree, alternated, order rotated
REPS=$1; shift
for r in $(seq 1 $REPS); do trees=("$@"); n=${#trees[@]}; k=$((r % n))
  echo "# rep $r load $(cut -d' ' -f1-3 /proc/loadavg)"
  for i in $(seq 0 $((n-1))); do t=${trees[$(((i+k)%n))]}
    echo "$t $(N=300000 M=${M:-add} node --expose-gc $(dirname $0)/perf-invoke-2026-12-07-15.prof.mjs $t)"
  done; done
