#!/bin/bash
# rounds.sh ROUNDS: tick, noop and shout rows (rows.mjs), then the target row (drive.sh), before/after3 alternated, one process each
cd /tmp/perf-fn14
for r in $(seq 1 $1); do
  for t in before after3; do
    echo "== rows $t $(date -u +%H:%M:%S)"; ROWS=tick,noop,shout ROUNDS=15 node --expose-gc rows.mjs /tmp/perf-fn14/$t
  done
done
SR=15 SHAPES=X,F ./drive.sh $1 before after3
