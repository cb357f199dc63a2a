#!/bin/bash
# qb.sh TREE... : the quick wasm group of each tree in turn (its own bench runner), the invokeSync rows
for t in "$@"; do
  echo "== $t $(uptime | sed 's/.*load/load/')"
  (cd $t && node --expose-gc dist/bench/run.js --quick --only wasm --no-write 2>&1) | grep -iE "invokeSync|keel-invoke|add\(u32" | head -12
done
echo "== end $(uptime | sed 's/.*load/load/')"
