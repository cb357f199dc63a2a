#!/bin/bash
# The measurements of bench/results/test-suite-2026-12-06-11.md (run from the repository root).
# Usage: $0 dir <label> <vitest args...>   one run: load before/after, wall and CPU (/usr/bin/time),
#                                          vitest's JSON report in /tmp/suite11/<label>.json
#        $0 rank <report.json...>          files and tests ranked by duration
#        $0 import <rounds>                CPU of one process importing the fixtures and building
#                                          the adder fixture from a warm cache: dist/scripts/lib-old
#                                          (wat.js of 2ecee02~1) against dist/scripts/lib, interleaved
set -u
mkdir -p /tmp/suite11
what=$1; shift
case $what in
  dir) label=$1; shift
    l0=$(cut -d' ' -f1-3 /proc/loadavg)
    /usr/bin/time -f "%e wall %U user %S sys" -o /tmp/suite11/$label.time \
      npx vitest run "$@" --reporter=json --outputFile=/tmp/suite11/$label.json > /tmp/suite11/$label.log 2>&1
    echo "$label rc=$? load [$l0] -> [$(cut -d' ' -f1-3 /proc/loadavg)] $(tail -1 /tmp/suite11/$label.time) :: $*" ;;
  rank) node -e '
      const fs = require("fs"); const files = [], tests = [];
      for (const f of process.argv.slice(1)) for (const t of JSON.parse(fs.readFileSync(f)).testResults) {
        const name = t.name.replace(/.*\/test\//, "test/");
        files.push([(t.endTime - t.startTime) / 1000, name]);
        for (const a of t.assertionResults) tests.push([(a.duration || 0) / 1000, name + " :: " + a.fullName]);
      }
      for (const l of [files, tests]) { l.sort((a, b) => b[0] - a[0]); for (const [s, n] of l.slice(0, 15)) console.log(s.toFixed(1).padStart(7), n); console.log(); }' "$@" ;;
  import) cpu() { /usr/bin/time -f "%U %S" -o /tmp/suite11/imp.t node -e "import('$1').then((m) => m.componentFromWat(m.ADDER_WAT, m.ADDER_WIT, 'adder'))" > /dev/null; awk '{print $1 + $2}' /tmp/suite11/imp.t; }
    for r in $(seq 1 "$1"); do
      echo "$r load $(cut -d' ' -f1 /proc/loadavg) old $(cpu "$PWD/dist/scripts/lib-old/fixtures.js") new $(cpu "$PWD/dist/scripts/lib/fixtures.js")"
    done ;;
esac
