#!/bin/bash
# deopts.sh TREE : the X loop's last optimized code with scalar2 inlined: soft deopt reasons and their source in fast.js
T=/tmp/perf-fn15/$1
SAMPLES=3 SHAPES=X node --expose-gc --print-opt-code bx.mjs $T > /tmp/perf-fn15/oc-$1.txt 2>&1
python3 - "$T" "/tmp/perf-fn15/oc-$1.txt" <<'PY'
import sys,re
T,f=sys.argv[1],sys.argv[2]
src=open(T+'/dist/host/abi/fast.js').read()
txt=open(f).read()
blocks=txt.split('--- Optimized code ---')
hits=[b for b in blocks if 'SharedFunctionInfo scalar2>' in b and 'loop 1 ' in b or ('SharedFunctionInfo scalar2>' in b and 'x.m(i, 1)' in b)]
hits=[b for b in blocks if 'SharedFunctionInfo scalar2>\n' in b]
b=hits[-1]
print('compiles with scalar2 inlined:',len(hits), 'OSR' if '0x4ef0' in b else 'not OSR', 'size', re.search(r'Instructions \(size = (\d+)\)',b).group(1))
for m in re.finditer(r"deopt position, script offset '([0-9a-f]+)'\s*\n\s*;; debug: deopt position, inlining id '([0-9a-f]+)'\s*\n\s*;; debug: deopt reason '([^']*)'",b):
    off,inl,why=int(m.group(1),16),m.group(2),m.group(3)
    where=src[off:off+60].replace('\n',' ') if inl!='ffffffff' else '(caller)'
    print(f'{why:55s} inl {inl:8s} {where}')
PY
