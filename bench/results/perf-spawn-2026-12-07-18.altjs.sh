#!/bin/sh
# altjs.sh ROUNDS TREE...: abjs.mjs (Keel's JavaScript per spawn) of one tree per process, trees alternated
R=$1; shift
for r in $(seq 1 $R); do for t in "$@"; do
  printf "%s " "$(basename $t)"; N=3000 node --expose-gc abjs.mjs 7 $t/dist | sed 's/.*0:dist //'
done; done
