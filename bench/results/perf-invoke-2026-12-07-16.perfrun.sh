#!/bin/bash
# perfrun.sh TREE TAG: h.mjs under perf (CLOCK_MONOTONIC), then the add phase's top symbols (untimed and timed subjects together)
T=$1; TAG=$2; D=${OUT:-/tmp}/perf-$TAG; mkdir -p $D; H=$(cd $(dirname $0) && pwd)/perf-invoke-2026-12-07-16.h.mjs
cd $D && perf record -q -k mono -F 1999 -o perf.data -- node --expose-gc --perf-basic-prof $NODEFLAGS $H $T > out.txt 2> err.txt
a=$(grep -F 'T ' err.txt | grep 'scalars' | awk '{print $2}'); b=$(grep -F 'T ' err.txt | grep 'held in a local' | awk '{print $2}')
as=$(python3 -c "print(f'{$a/1e9:.6f}')"); bs=$(python3 -c "print(f'{$b/1e9:.6f}')")
perf report -i perf.data --time $as,$bs --stdio --sort sym 2>/dev/null | grep -v '^#' | grep -v '^$' | head -40 | cut -c1-150 > add-syms.txt
pid=$(perf script -i perf.data -F pid 2>/dev/null | head -1 | tr -d ' '); rm -f /tmp/perf-$pid.map
grep wasm.call.add out.txt | head -1
