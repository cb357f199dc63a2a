#!/bin/sh
# benchab.sh <rounds>: the brief's command alternated between main before this pass (/tmp/perf-spawn15/before) and this pass's build (/tmp/perf-spawn15/after), load noted
for r in $(seq 1 "$1"); do
  for t in before after; do
    l=$(cut -d' ' -f1 /proc/loadavg)
    out=$(cd /tmp/perf-spawn15/$t && node --expose-gc dist/bench/run.js --only wasm --no-write --subjects keel,keel-unmetered --measures wasm.spawn,wasm.call.add 2>&1 | grep -E '^\| (call add\(u32, u32\) -> u32 \(scalars\)|spawn)' | sed -e 's/ (scalars)//' -e 's/: a new instance.*teardown)//' | tr '\n' ' ')
    echo "$(date +%H:%M) $t load $l $out"
  done
done
