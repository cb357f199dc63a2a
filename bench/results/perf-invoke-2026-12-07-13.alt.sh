#!/bin/bash
# alt.sh REPS TREE... : one process per tree, alternated (order rotated each rep); per process the medians (ns) of
# plain, add-d, add-t, async-d from inv.mjs (ROUNDS=41, N=4000); then per tree the median over processes.
REPS=$1; shift
out=$(mktemp)
for r in $(seq 1 $REPS); do
  trees=("$@"); n=${#trees[@]}; k=$((r % n))
  for i in $(seq 0 $((n-1))); do t=${trees[$(((i+k)%n))]}
    ONLY="${ONLY:-add-d|add-t|async-d}" ROUNDS=${ROUNDS:-41} node --expose-gc $(dirname $0)/perf-invoke-2026-12-07-13.inv.mjs $t 2>&1 | awk -v t=$(basename $t) '{for(i=1;i<=NF;i++) if($i=="med") print t, $1, $(i+1)}' >> $out
  done
done
python3 - "$out" <<'PY'
import sys,statistics as st,collections
d=collections.defaultdict(list)
for line in open(sys.argv[1]):
    t,s,v=line.split(); d[(t,s.split(':')[-1])].append(float(v))
for k in sorted(d): v=d[k]; print(f"{k[0]:8} {k[1]:8} median {st.median(v):7.1f} ns  min {min(v):7.1f}  max {max(v):7.1f}  n={len(v)}")
PY
