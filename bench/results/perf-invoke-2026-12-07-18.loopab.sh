#!/bin/bash
# perf-invoke-2026-12-07-18.loopab.sh REPS TREE...: loop.mjs (CPU time a call, median of R batches) one process per tree, alternated (order rotated)
REPS=$1; shift
for r in $(seq 1 $REPS); do trees=("$@"); n=${#trees[@]}; k=$((r % n))
  for i in $(seq 0 $((n-1))); do t=${trees[$(((i+k)%n))]}
    l0=$(cut -d' ' -f1 /proc/loadavg)
    out=$(R=${R:-7} N=${N:-5e5} node --expose-gc $(dirname $0)/perf-invoke-2026-12-07-18.loop.mjs $t 2>&1 | tail -1)
    echo "rep $r $(basename $t) load $l0 | $out"
  done; done
