#!/bin/bash
# The interleaved comparisons of bench/results/test-suite-2026-12-06.md (run from the repository root).
# Usage: $0 cache <dirs...>         warm cache vs KEEL_WASM_TOOLS_CACHE=off, two rounds
#        $0 cold <dirs...>          a fresh cache directory, off, warm: one round
#        $0 groups old.ts new.ts <files...>   the files under two vitest configs, three rounds
set -u
what=$1; shift
run() { # label, then vitest's arguments
  local label=$1; shift
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f "%e wall %U user %S sys" -o /tmp/suite-time.txt npx vitest run "$@" > /tmp/suite-run.log 2>&1
  echo "$label load $load: $(cat /tmp/suite-time.txt) $(sed 's/\x1b\[[0-9;]*m//g' /tmp/suite-run.log | grep -E 'Test Files|Tests ' | tr -s ' ' | tr '\n' ' ')"
}
case $what in
  cache) for r in 1 2; do
      (unset KEEL_WASM_TOOLS_CACHE; run "round $r on" "$@")
      KEEL_WASM_TOOLS_CACHE=off run "round $r off" "$@"
    done ;;
  cold) KEEL_WASM_TOOLS_CACHE=$(mktemp -d) run cold "$@"
    KEEL_WASM_TOOLS_CACHE=off run off "$@"
    (unset KEEL_WASM_TOOLS_CACHE; run warm "$@") ;;
  groups) old=$1 new=$2; shift 2
    for r in 1 2 3; do run "round $r old" --config "$old" "$@"; run "round $r new" --config "$new" "$@"; done ;;
esac
