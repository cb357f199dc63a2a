#!/bin/bash
# perfrun.sh TREE OUTDIR K: K processes of perfload.mjs (the bench's set-up, then 10 metered cold loads), perf
# attached for the cold loads only (cpu-clock, 20 kHz, call graphs); node writes /tmp/perf-PID.map for JIT frames
here=$(cd "$(dirname "$0")" && pwd); tree=$1; out=$2; K=${3:-8}; mkdir -p "$out"
sig=$(mktemp -d)
for i in $(seq 1 "$K"); do
  rm -rf "$sig"/*
  # run in $sig: --perf-basic-prof writes an isolate-*-v8.log into the working directory
  (cd "$sig" && READY=$sig/ready GO=$sig/go DONE=$sig/done QUIT=$sig/quit exec node --perf-basic-prof --interpreted-frames-native-stack "$here/perf-cold-2026-12-07-16.perfload.mjs" "$tree" 10) &
  NP=$!
  while [ ! -s "$sig/ready" ]; do sleep 0.02; done
  perf record -e cpu-clock -F 20000 -g -p $NP -o "$out/p$i.data" >/dev/null 2>&1 &
  PP=$!
  sleep 1.2   # perf needs this long to attach on a loaded machine (shorter: empty profiles)
  touch "$sig/go"
  while [ ! -e "$sig/done" ]; do sleep 0.005; done
  kill -INT $PP; wait $PP
  touch "$sig/quit"; wait $NP
done
rm -rf "$sig"
