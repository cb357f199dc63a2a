#!/bin/bash
# ticks.sh ROUNDS TREE...: the guest-to-host row only (rows.mjs ROWS=tick, 21 rounds), trees alternated, one process each
cd /tmp/perf-fn14
n=$1; shift
for r in $(seq 1 $n); do
  for t in "$@"; do
    echo "== tick $t $(date -u +%H:%M:%S)"; ROWS=tick ROUNDS=21 node --expose-gc rows.mjs /tmp/perf-fn14/$t
  done
done
