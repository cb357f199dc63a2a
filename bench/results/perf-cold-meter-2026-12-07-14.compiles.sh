# bash perf-cold-meter-2026-12-07-14.compiles.sh TREE c|rust N PRE: V8's optimizing compiles (--trace-opt) and the
# deoptimizations of #rewriteBody while .calls.mjs runs: per function, compiles and the sum of the three phases V8
# reports (ms of the compile thread's wall time: inflated by the load, so read as shares).
D=$(dirname "$0")
node --trace-opt --trace-deopt "$D/perf-cold-meter-2026-12-07-14.calls.mjs" "$@" 2>&1 > /tmp/compiles.$$ 
grep -E "took" /tmp/compiles.$$ | grep -v bailout | sed -E 's/0x[0-9a-f]+ //g; s/\(sfi = [^)]*\)//' | grep -oE "JSFunction [^ >]*.*took [0-9., ]*" |
  awk '{ f = $2 ($0 ~ /OSR/ ? " (OSR)" : ""); n = split($0, a, "took "); split(a[2], t, ", "); c[f]++; s[f] += t[1] + t[2] + t[3]; tot += t[1] + t[2] + t[3]; k++ }
    END { for (f in c) printf "%8.1f %3d %s\n", s[f], c[f], f; printf "%8.1f %3d total\n", tot, k }' | sort -rn | head -25
echo "deoptimizations of #rewriteBody: $(grep -cE '^\[bailout.*rewriteBody' /tmp/compiles.$$)"
grep -E "main:" /tmp/compiles.$$
rm -f /tmp/compiles.$$
