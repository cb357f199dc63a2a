#!/usr/bin/env python3
import re,sys,collections
# summ.py FILE: per tree, the median [range] of each row of brief.sh output (Keel (fn) and Keel unmetered (fn) / plain V8, and Keel (fn) ns)
rows=collections.defaultdict(lambda: collections.defaultdict(list))
t=None
for line in open(sys.argv[1]):
    m=re.match(r'=== (\S+) round',line)
    if m: t=m.group(1); continue
    if not line.startswith('|'): continue
    cells=[c.strip() for c in line.split('|')]
    name=cells[1]
    key='noop' if 'noop' in name else 'held' if 'held' in name else 'add' if 'add' in name else 'str' if 'shout' in name else 'tick'
    r=[re.search(r'\*\*([\d.]+)x',c) for c in cells[3:5]]
    ns=[re.match(r'([\d.]+) ns',c) for c in cells[2:5]]
    rows[t][key].append((float(r[0].group(1)), float(ns[1].group(1)), float(r[1].group(1))))
for t in rows:
    print(t)
    for k in ['noop','add','held','str','tick']:
        v=rows[t][k]
        if not v: continue
        rs=sorted(x[0] for x in v); ns=sorted(x[1] for x in v); un=sorted(x[2] for x in v)
        med=lambda a: a[len(a)//2]
        print(f"  {k:5} n={len(v)} metered {med(rs):.2f}x [{rs[0]:.2f}-{rs[-1]:.2f}] {med(ns):.2f} ns | unmetered {med(un):.2f}x [{un[0]:.2f}-{un[-1]:.2f}]")
