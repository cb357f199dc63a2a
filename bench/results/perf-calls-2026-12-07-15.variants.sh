#!/bin/bash
# variants.sh: makes every tree measured in perf-calls-2026-12-07-15.md under /tmp/perf-fn15 from BASE
# (/tmp/perf-fn15/base: main at 1f68159, built, the repository's other files linked). Measuring only.
set -e
cd /tmp/perf-fn15
E1='if (gate.busy !== 1)\n                    owner.after(exportName);\n                return value;'
G1='if (gate.busy !== 1)\n                    return rare(arguments.length, a, b);'
python3 mkvar.py bare base 'body="return function scalar2(a, b) { return core(a, b) >>> 0; };\n"'
python3 mkvar.py noexit base "body=body.replace('''$E1''','return value;',1)"
python3 mkvar.py noentry base "n=body.replace('''$G1''','',1); assert n!=body; body=n"
python3 mkvar.py bothreads base "body=body.replace('''$G1''','',1).replace('''$E1''','return value;',1)"
python3 mkvar.py notry base '
import re
n=re.sub(r"try \{\n(.*?)\n\s*\}\n\s*catch \(error\) \{\n.*?\n\s*\}", r"\1", body, flags=re.S); assert n!=body; body=n'
python3 mkvar.py n1 base "n=body.replace('''$E1''','''if (gate.busy === 1)\n                    return value;\n                owner.after(exportName);\n                return value;''',1); assert n!=body; body=n"
python3 mkvar.py n2 base 'n=body.replace("let value;\n                try {","let value = 0;\n                try {",1); assert n!=body; body=n'
python3 mkvar.py va base "n=body.replace('''$E1''','''const w = gate.busy;\n                if (w !== 1)\n                    owner.after(exportName);\n                return value;''',1); assert n!=body; body=n"
python3 mkvar.py vg base "n=body.replace('''$E1''','''if ((gate.busy ^ 1) !== 0)\n                    owner.after(exportName);\n                return value;''',1); assert n!=body; body=n"
python3 mkvar.py vh base "n=body.replace('''$E1''','''if (gate.busy !== 1)\n                    return after(value);\n                return value;''',1); assert n!=body; body=n; s=s.replace('const rare = (n, a, b, c) =>','const after = (v) => { owner.after(exportName); return v; };\n    const rare = (n, a, b, c) =>',1)"
python3 mkvar.py vi base "n=body.replace('''$G1''','if ((gate.busy ^ 1) !== 0)\n                    return rare(arguments.length, a, b);',1); assert n!=body; body=n"
python3 mkvar.py vj base "n=body.replace('''$E1''','''if (gate.busy > 1 || gate.busy < 1)\n                    owner.after(exportName);\n                return value;''',1); assert n!=body; body=n"
python3 mkvar.py vk base "n=body.replace('let value;\n                try {\n                    value = done(ft, rk, inst, slot, core(a, b));\n                }','let value;\n                try {\n                    const r = core(a, b);\n                    value = done(ft, rk, inst, slot, r);\n                }',1); assert n!=body; body=n"
python3 mkvar.py b1 base 'body="return function scalar2(a, b) { let value; try { value = core(a, b) >>> 0; } catch (error) { return owner.fail(error, exportName); } return value; };\n"'
python3 mkvar.py b2 base 'body="return function scalar2(a, b) { if (gate.busy !== 1) return rare(arguments.length, a, b); return core(a, b) >>> 0; };\n"'
python3 mkvar.py b3 base 'body="return function scalar2(a, b) { const value = core(a, b) >>> 0; if (gate.busy !== 1) owner.after(exportName); return value; };\n"'
python3 mkvar.py bnp base 'body="return function scalar2(a, b) { if (a === 123456789) return rare(arguments.length, a, b); return core(a, b) >>> 0; };\n"'
python3 mkvar.py onex base "exec(open('/tmp/perf-fn15/onex.py').read())"
python3 mkvar.py eg base "exec(open('/tmp/perf-fn15/eg.py').read())"
python3 mkvar.py prime2 base "s = s + open('/tmp/perf-fn15/prime2.js').read()"
python3 mkvar.py pk base "exec(open('/tmp/perf-fn15/pk.py').read())"
python3 mkvar.py bp base 'body="return function scalar2(a, b) { if (gate.busy !== 1) return rare(arguments.length, a, b); return core(a, b) >>> 0; };\n"; s = s + open("/tmp/perf-fn15/prime-nt.js").read()'
python3 mkvar.py bp2 base 'body="return function scalar2(a, b) { if (gate.busy !== 1) return rare(arguments.length, a, b); const v = core(a, b) >>> 0; if (gate.busy !== 1) owner.after(exportName); return v; };\n"; s = s + open("/tmp/perf-fn15/prime-nt.js").read()'
python3 mkvar.py bp3 base 'body="return function scalar2(a, b) { if (gate.busy === 1) { const v = core(a, b) >>> 0; if (gate.busy === 1) return v; owner.after(exportName); return v; } return rare(arguments.length, a, b); };\n"; s = s + open("/tmp/perf-fn15/prime-nt.js").read()'
for k in 1 2 3 4; do python3 mkvar.py pad$k base "
p2=P+name+'/dist/host/kernel/deadline.js'
t=open(p2).read()
pads=''.join(f'    pad{i} = 0;\n' for i in range($k))
t=t.replace('    busy = 0;\n', pads+'    busy = 0;\n',1) if $k<=2 else t.replace('    busy = 0;\n','    busy = 0;\n'+pads,1)
open(p2,'w').write(t)"; done
python3 mkvar.py imp base "
p2=P+name+'/dist/host/loader/loader.js'
t=open(p2).read()
t=t.replace('export function soleCoreInstance(plan, index) {','export function soleCoreInstance(plan, index) {\n    return false;',1)
open(p2,'w').write(t)"
python3 mkvar.py jsc base "n=body.replace('let value;\n                try {','tally.n = tally.n + 1;\n                let value;\n                try {',1); assert n!=body; body=n; s=s.replace('const rare = (n, a, b, c) =>','const tally = { n: 0 };\n    const rare = (n, a, b, c) =>',1)"
python3 mkvar.py eg3 base "exec(open('/tmp/perf-fn15/eg3.py').read())"
python3 mkvar.py eg2 base "exec(open('/tmp/perf-fn15/eg.py').read()); body='''return function scalar2(a, b) {
                const r = gate.pass(arguments.length, a, b);
                if (r !== undefined)
                    return r.v;
                const value = core(a, b) >>> 0;
                gate.look(exportName);
                return value;
            };
'''"
