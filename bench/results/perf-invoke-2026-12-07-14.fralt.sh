#!/bin/bash
# fralt.sh REPS TAG "ARGS" TREE... : fr.sh per tree, alternated (order rotated per rep)
REPS=$1; TAG=$2; ARGS=$3; shift 3
for r in $(seq 1 $REPS); do trees=("$@"); n=${#trees[@]}; k=$((r % n))
  for i in $(seq 0 $((n-1))); do t=${trees[$(((i+k)%n))]}
    $(dirname $0)/perf-invoke-2026-12-07-14.fr.sh $t $TAG-$r-$(basename $t) $ARGS
  done; done
