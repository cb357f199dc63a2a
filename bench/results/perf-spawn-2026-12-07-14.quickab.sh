#!/bin/sh
# quickab.sh <rounds>: the quick wasm group, spawn rows, alternated between main before this pass (/tmp/perf-spawn14/before, 38fe9e0's dist) and the worktree's fresh build
for r in $(seq 1 "$1"); do
  for t in /tmp/perf-spawn14/before /work/wt/perf-spawn14; do
    echo "== $(date +%H:%M:%S) $t load $(cut -d' ' -f1-3 /proc/loadavg)"
    (cd "$t" && node --expose-gc dist/bench/run.js --quick --only wasm --no-write 2>&1 | grep -iE -A12 "spawn: a new instance" | grep -iE "plain|keel|spawn")
  done
done
