#!/bin/bash
# alt.sh ROUNDS TREE... : bx.mjs per tree, alternated, one process each
n=$1; shift
for r in $(seq 1 $n); do for t in "$@"; do node --expose-gc /tmp/perf-fn15/bx.mjs /tmp/perf-fn15/$t 2>&1 | tail -1; done; done
