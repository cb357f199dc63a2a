#!/bin/sh
# The commands behind bench/results/test-suite-2026-12-07-15.md (run from a worktree after a build).
# ab: abi/differential's componentize-js case with no jco entry and with the entry kept, alternated.
# bc: npm test's steps before vitest, build then check against build beside check, alternated.
case "$1" in
ab)
  for round in 1 2; do
    for mode in cold warm; do
      [ $mode = cold ] && rm -rf "${TMPDIR:-/tmp}/keel-test-cache-jco"
      /usr/bin/time -f "$round $mode %e wall %U user %S sys" npx vitest run test/abi/differential.test.ts -t componentize-js >/dev/null
      cut -d' ' -f1 /proc/loadavg
    done
  done
  ;;
bc)
  for round in 1 2; do
    /usr/bin/time -f "$round serial %e wall %U user %S sys" sh -c 'npm run build && npm run check' >/dev/null
    cut -d' ' -f1 /proc/loadavg
    /usr/bin/time -f "$round beside %e wall %U user %S sys" sh -c 'npm run build & build=$!; npm run check; check=$?; wait $build && [ $check -eq 0 ]' >/dev/null
    cut -d' ' -f1 /proc/loadavg
  done
  ;;
groups)
  # Group totals of a vitest JSON report (argument), the alone group's files from vitest list.
  npx vitest list --filesOnly --project alone | sed 's/^.*test\//test\//' | sort >/tmp/alone.txt
  node -e '
const fs = require("fs");
const alone = new Set(fs.readFileSync("/tmp/alone.txt", "utf8").split("\n").filter(Boolean).map((s) => s.trim()));
const j = require(process.argv[1]);
const t0 = Math.min(...j.testResults.map((r) => r.startTime));
const g = { parallel: [], alone: [] };
for (const r of j.testResults) {
  const f = `test/${r.name.replace(/.*\/test\//, "")}`;
  g[alone.has(f) ? "alone" : "parallel"].push(r);
}
for (const [k, x] of Object.entries(g)) {
  const sum = x.reduce((a, r) => a + (r.endTime - r.startTime) / 1000, 0);
  const s = Math.min(...x.map((r) => r.startTime)), e = Math.max(...x.map((r) => r.endTime));
  console.log(k, x.length, "files, tests", sum.toFixed(0), "s, from", ((s - t0) / 1000).toFixed(0), "to", ((e - t0) / 1000).toFixed(0), "s");
}' "$2"
  ;;
esac
