#!/bin/bash
# usage: mem-ab.sh ROUNDS TREE...   (the lead's A/B: JS heap slope from 2000 to 6000 sandboxes)
rounds=$1; shift
for r in $(seq 1 $rounds); do
  for t in "$@"; do
    c=$(mktemp -d)
    a=$(node --expose-gc --no-warnings --min-semi-space-size=16 --max-semi-space-size=16 $t/dist/bench/memory.js --child keel 2000 $c)
    b=$(node --expose-gc --no-warnings --min-semi-space-size=16 --max-semi-space-size=16 $t/dist/bench/memory.js --child keel 6000 $c)
    rm -rf $c
    echo "$t $a $b $(cat /proc/loadavg | cut -d' ' -f1)"
  done
done
