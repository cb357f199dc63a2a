#!/bin/bash
# fr.sh TREE TAG [args...]: one filtered wasm-group run in TREE; prints the measure rows (the table is transposed when filtered)
T=$1; TAG=$2; shift 2
cd $T && L0=$(cut -d' ' -f1 /proc/loadavg)
node --expose-gc dist/bench/run.js --only wasm --no-write "$@" > ${OUT:-/tmp}/$TAG.md 2>/dev/null
L1=$(cut -d' ' -f1 /proc/loadavg)
echo "== $TAG $(basename $T) $* load $L0 -> $L1"
grep -E "^\| (measure|subject|call|plain|Keel)" ${OUT:-/tmp}/$TAG.md | grep -v "^| Keel .*/" | cut -c1-330
