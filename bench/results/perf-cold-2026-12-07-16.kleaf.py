# python3 kleaf.py DIR KEY: samples whose stack holds KEY (a kernel function), by their 4 innermost frames
import subprocess, sys, re, collections, glob
files = sorted(glob.glob(sys.argv[1] + '/*.data')); key = sys.argv[2]
c = collections.Counter()
for f in files:
    out = subprocess.run(['perf', 'script', '-i', f, '-F', 'pid,tid,ip,sym'], capture_output=True, text=True).stdout
    for block in out.split('\n\n'):
        lines = [l for l in block.split('\n') if l.strip()]
        if not lines: continue
        m = re.match(r'\s*(\d+)/(\d+)', lines[0])
        if not m or m.group(1) != m.group(2): continue
        frames = [re.sub(r'^\s*[0-9a-f]+\s+', '', l) for l in lines[1:]]
        if not any(key in x for x in frames): continue
        c[' < '.join(x[:40] for x in frames[:4])] += 1
N = sum(c.values()); print('samples', N)
for k, v in c.most_common(12): print(f'{v:5d} {100*v/N:5.1f}% {k}')
