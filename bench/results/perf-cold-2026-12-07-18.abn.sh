#!/bin/bash
# abn.sh ROUNDS TREE...: rotate processes over the trees, print per-tree values and medians (script S, args in ARGS)
R=$1; shift; T=("$@"); n=${#T[@]}; S=${S:?set S to the script}
declare -A v
for i in $(seq 1 $R); do
  for j in $(seq 0 $((n-1))); do k=$(( (i + j) % n )); v[$k]+="$(node $NODEFLAGS $S ${T[$k]} $ARGS) "; done
done
med() { printf '%s\n' $@ | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
for k in $(seq 0 $((n-1))); do echo "${T[$k]}: median $(med ${v[$k]}) | ${v[$k]}"; done
cat /proc/loadavg
