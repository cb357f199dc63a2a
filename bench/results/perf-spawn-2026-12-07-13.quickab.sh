#!/bin/bash
# alternate the quick wasm group: before (main at 4982d67) and after (the worktree), spawn row only
for k in 1 2 3; do
  for t in before after; do
    if [ $t = before ]; then d=/tmp/perf-spawn13/treeb; else d=/work/wt/perf-spawn13; fi
    echo "== $t run $k $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
    (cd $d && node --expose-gc dist/bench/run.js --quick --only wasm --no-write 2>&1 | grep -E "^\| (plain V8|Keel \(fn\)|Keel unmetered \(fn\)|jco 1.12.0|jco-transpile|Extism)" | awk -F'|' '{print $2 "|" $8}')
    echo "   end load $(cut -d' ' -f1-3 /proc/loadavg)"
  done
done
