# bash perf-cold-meter-2026-12-07-14.ab.sh A B c|rust K [N] [PRE]: K alternations of fresh processes of .calls.mjs per tree
# (order swapped every round); the sums of each run, then per tree.
D=$(dirname "$0"); A=$1; B=$2; W=$3; K=$4; N=${5:-12}; PRE=${6:-60}
for i in $(seq 1 "$K"); do
  if [ $((i % 2)) = 1 ]; then o="$A $B"; else o="$B $A"; fi
  for t in $o; do printf "%s " "$t"; node "$D/perf-cold-meter-2026-12-07-14.calls.mjs" "$t" "$W" "$N" "$PRE"; done
done | awk '{ for (i = 1; i <= NF; i++) { if ($i == "sum") s = $(i + 1); if ($i == "main") m = $(i + 1) } print; S[$1] = S[$1] " " s; M[$1] = M[$1] " " m }
  END { for (t in S) print "SUMMARY", t, "process:", S[t], " main:", M[t] }'
