# python3 leafunder.py DIR KEY DEPTH: samples under KEY, by their DEPTH innermost frames
import subprocess, sys, re, collections, glob
files = sorted(glob.glob(sys.argv[1] + '/*.data')); key = sys.argv[2]; depth = int(sys.argv[3])
c = collections.Counter()
for f in files:
    out = subprocess.run(['perf', 'script', '-i', f, '-F', 'pid,tid,ip,sym'], capture_output=True, text=True).stdout
    for block in out.split('\n\n'):
        lines = [l for l in block.split('\n') if l.strip()]
        if not lines: continue
        m = re.match(r'\s*(\d+)/(\d+)', lines[0])
        if not m or m.group(1) != m.group(2): continue
        frames = [re.sub(r'^\s*[0-9a-f]+\s+', '', l) for l in lines[1:]]
        idx = next((i for i, x in enumerate(frames) if key in x), None)
        if idx is None: continue
        c[' < '.join(x[:55] for x in frames[:min(depth, idx)])] += 1
N = sum(c.values()); print('samples', N)
for k, v in c.most_common(15): print(f'{v:5d} {100*v/N:5.1f}% {k}')
