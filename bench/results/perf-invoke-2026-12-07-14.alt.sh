#!/bin/bash
# alt.sh REPS "MIXES" TREE... : mix.mjs per tree and MIX, one process each, alternated (order rotated per rep)
REPS=$1; MIXES=$2; shift 2
for r in $(seq 1 $REPS); do trees=("$@"); n=${#trees[@]}; k=$((r % n))
  for m in $MIXES; do for i in $(seq 0 $((n-1))); do t=${trees[$(((i+k)%n))]}
    echo "$(basename $t) load $(cut -d' ' -f1 /proc/loadavg) $(MIX=$m MEASURES=${MEASURES:-noop,add} node --expose-gc $NODEFLAGS $(dirname $0)/perf-invoke-2026-12-07-14.mix.mjs $t)"
  done; done; done
