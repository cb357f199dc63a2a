# python3 jsframes.py DIR KEY [N]: samples whose stack holds KEY, by their innermost JS frame
import subprocess, sys, re, collections, glob
files = sorted(glob.glob(sys.argv[1] + '/*.data')); key = sys.argv[2]
inner = collections.Counter()
for f in files:
    out = subprocess.run(['perf', 'script', '-i', f, '-F', 'pid,tid,ip,sym'], capture_output=True, text=True).stdout
    for block in out.split('\n\n'):
        lines = [l for l in block.split('\n') if l.strip()]
        if not lines: continue
        m = re.match(r'\s*(\d+)/(\d+)', lines[0])
        if not m or m.group(1) != m.group(2): continue
        frames = [re.sub(r'^\s*[0-9a-f]+\s+', '', l) for l in lines[1:]]
        st = ' | '.join(frames)
        if key not in st: continue
        js = [x for x in frames if x.startswith('JS:')]
        inner[js[0][:110] if js else '(none)'] += 1
N = sum(inner.values()); print('samples', N)
for k, v in inner.most_common(int(sys.argv[3]) if len(sys.argv) > 3 else 30): print(f'{v:5d} {100*v/N:5.1f}% {k}')
