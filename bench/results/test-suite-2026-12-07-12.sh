#!/bin/bash
# The measurements of bench/results/test-suite-2026-12-07-12.md (run from the repository root).
# Usage: $0 dir <label> <vitest args...>   one run: load before/after, wall and CPU of vitest and
#                                          every process it forked (/usr/bin/time), the JSON report
#                                          in /tmp/suite12/<label>.json
#        $0 rank <report.json...>          files and tests ranked by duration (N=15 rows)
#        $0 moved <pairs>                  the files this pass moved to the parallel group, run
#                                          under the old config (vitest.old.config.ts, written
#                                          from 08471a3~1) and the new one, alternated
#        $0 reach                          how many test files of each group reach the zod schemas
#                                          (host/policy/manifest.ts, plan.ts, host/events/schema.ts)
#                                          through static relative imports (type-only ones skipped)
set -u
mkdir -p /tmp/suite12
what=$1; shift
case $what in
  dir) label=$1; shift
    l0=$(cut -d' ' -f1-3 /proc/loadavg)
    /usr/bin/time -f "%e wall %U user %S sys" -o /tmp/suite12/$label.time \
      npx vitest run "$@" --reporter=json --outputFile=/tmp/suite12/$label.json > /tmp/suite12/$label.log 2>&1
    rc=$?
    echo "$label rc=$rc load [$l0] -> [$(cut -d' ' -f1-3 /proc/loadavg)] $(tail -1 /tmp/suite12/$label.time) $(node -e 'const r = require(process.argv[1]); console.log(r.numPassedTests + " passed " + r.numFailedTests + " failed")' /tmp/suite12/$label.json 2>/dev/null)" ;;
  rank) node -e '
      const fs = require("fs"); const files = [], tests = [];
      for (const f of process.argv.slice(1)) { const r = JSON.parse(fs.readFileSync(f)); for (const t of r.testResults) {
        const name = t.name.replace(/.*\/test\//, "test/");
        files.push([(t.endTime - t.startTime) / 1000, name, t.assertionResults.length, t.status]);
        for (const a of t.assertionResults) tests.push([(a.duration || 0) / 1000, name + " :: " + a.fullName]);
      }
      console.log("files", files.length, "sum of file times", files.reduce((s, f) => s + f[0], 0).toFixed(1), "s; first start to last end",
        ((Math.max(...r.testResults.map((t) => t.endTime)) - r.startTime) / 1000).toFixed(1), "s"); }
      const n = Number(process.env.N || 15);
      files.sort((a, b) => b[0] - a[0]); for (const [s, nm, c, st] of files.slice(0, n)) console.log(s.toFixed(2).padStart(7), nm, c, st); console.log();
      tests.sort((a, b) => b[0] - a[0]); for (const [s, nm] of tests.slice(0, n)) console.log(s.toFixed(2).padStart(7), nm);' "$@" ;;
  moved) git show 08471a3~1:vitest.config.ts > vitest.old.config.ts
    npx vitest list --filesOnly --project alone --config vitest.old.config.ts | sed 's/^\[alone\] //' | sort > /tmp/suite12/alone-old.txt
    npx vitest list --filesOnly --project alone | sed 's/^\[alone\] //' | sort > /tmp/suite12/alone-new.txt
    comm -23 /tmp/suite12/alone-old.txt /tmp/suite12/alone-new.txt > /tmp/suite12/moved.txt
    for i in $(seq 1 "$1"); do
      "$0" dir moved-old-$i --config vitest.old.config.ts $(cat /tmp/suite12/moved.txt)
      "$0" dir moved-new-$i $(cat /tmp/suite12/moved.txt)
    done
    rm vitest.old.config.ts ;;
  reach) npx vitest list --filesOnly --project alone > /tmp/suite12/alone-now.txt
    cat > /tmp/suite12/reach.mjs <<'JS'
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { execSync } from 'node:child_process';
const targets = new Set(['host/policy/manifest.ts', 'host/policy/plan.ts', 'host/events/schema.ts'].map((p) => resolve(p)));
const memo = new Map();
function reaches(file, seen = new Set()) {
  if (memo.has(file)) return memo.get(file);
  if (seen.has(file)) return false; seen.add(file);
  if (targets.has(file)) return true;
  let text; try { text = readFileSync(file, 'utf8'); } catch { return false; }
  const re = /(?:^|\n)\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+['"](\.[^'"]+)['"]|(?:^|\n)\s*import\s+['"](\.[^'"]+)['"]/g;
  let m, r = false;
  while ((m = re.exec(text))) {
    const spec = m[1] ?? m[2];
    let p = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
    if (!existsSync(p)) continue;
    if (reaches(p, seen)) { r = true; break; }
  }
  memo.set(file, r); return r;
}
const alone = new Set(readFileSync('/tmp/suite12/alone-now.txt', 'utf8').split('\n').filter(Boolean).map((l) => resolve(l.replace(/^\[alone\] /, ''))));
const files = execSync("find test -name '*.test.ts'", { encoding: 'utf8' }).trim().split('\n').map((f) => resolve(f));
let a = 0, p = 0, at = 0, pt = 0;
for (const f of files) { const r = reaches(f); if (alone.has(f)) { at++; if (r) a++; } else { pt++; if (r) p++; } }
console.log(`alone ${a}/${at} reach the schemas at import, parallel ${p}/${pt}`);
JS
    node /tmp/suite12/reach.mjs ;;
esac
