#!/bin/bash
# ab2.sh ROUNDS TREE...: wasm.call.host (keel) per tree alternated, one process each
# Trees: /tmp/trap15/<tree>, each a git archive of a commit (or a copy of one dist with one edit), node_modules linked, built with npm run build
n=$1; shift
for r in $(seq 1 $n); do
  for t in "$@"; do
    echo "== $t round $r $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg) $(cd /tmp/trap15/$t && node --expose-gc dist/bench/run.js --only wasm --no-write --subjects keel --measures wasm.call.host 2>&1 | grep -E '^\| guest')"
  done
done
