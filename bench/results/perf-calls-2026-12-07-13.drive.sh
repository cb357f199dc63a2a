#!/bin/bash
# drive.sh ROUNDS TREE... : each tree alone with plain in its own process (shp.mjs, X and F), alternated; prints per-process ratios
P=/tmp/perf-fn13
n=$1; shift
for r in $(seq 1 $n); do
  for t in "$@"; do
    out=$(ROUNDS=${SR:-15} NOUNMET=1 SHAPES=${SHAPES:-F,X} node --expose-gc $P/shp.mjs $P/$t 2>&1)
    l=$(echo "$out" | head -1 | cut -d' ' -f2)
    echo "$t $l $(echo "$out" | tail -n +2 | sed -E 's/: plain ([0-9.]+) \| 0:keel ([0-9.]+) ([0-9.]+)x/ \1 \2 \3/' | tr '\n' ' ')"
  done
done
