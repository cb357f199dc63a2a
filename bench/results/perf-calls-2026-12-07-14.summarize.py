# summarize.py FILE... : medians and ranges of rows.mjs and drive.sh outputs per tree
import re,sys,statistics as st
rows={}; drive={}
for fn in sys.argv[1:]:
    tree=None
    for line in open(fn):
        m=re.match(r'== (?:rows|tick) (\S+)',line)
        if m: tree=m.group(1); continue
        m=re.match(r'(tick|noop|shout): plain ([\d.]+) \| keel ([\d.]+) ([\d.]+)x \| keel-unmetered ([\d.]+) ([\d.]+)x',line)
        if m and tree:
            r=m.group(1)
            rows.setdefault((r,tree),[]).append((float(m.group(4)),float(m.group(6)),float(m.group(3)),float(m.group(5))))
        m=re.match(r'(\S+) ([\d.]+-[\d.]+) X [\d.]+ [\d.]+ ([\d.]+) F [\d.]+ [\d.]+ ([\d.]+)',line)
        if m: drive.setdefault(m.group(1),[]).append((float(m.group(3)),float(m.group(4))))
def fmt(v): return f"{st.median(v):.3f} [{min(v):.3f}-{max(v):.3f}] n={len(v)}"
for (r,t),v in sorted(rows.items()):
    print(f"{r:6} {t:7} metered {fmt([x[0] for x in v])} ({st.median([x[2] for x in v]):.2f} ns) | unmetered {fmt([x[1] for x in v])} ({st.median([x[3] for x in v]):.2f} ns)")
for t,v in drive.items():
    print(f"X/F {t:7} X {fmt([x[0] for x in v])} | F {fmt([x[1] for x in v])}")
