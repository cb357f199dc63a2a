#!/bin/bash
# alt.sh REPS TREE... : mix.mjs (MIX=1: the timed subject beside) per tree, alternated, order rotated
REPS=$1; shift
for r in $(seq 1 $REPS); do trees=("$@"); n=${#trees[@]}; k=$((r % n))
  echo "# rep $r load $(cut -d' ' -f1-3 /proc/loadavg)"
  for i in $(seq 0 $((n-1))); do t=${trees[$(((i+k)%n))]}
    echo "$t $(MIX=1 MEASURES=${MEASURES:-noop,add} node --expose-gc $(dirname $0)/perf-invoke-2026-12-07-14.mix.mjs $t)"
  done; done
