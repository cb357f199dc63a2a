# python3 phasejs.py DIR PHASE DEPTH [N]: samples of one phase (as classify.py) by their DEPTH innermost JS frames
import subprocess, sys, re, collections, glob
files = sorted(glob.glob(sys.argv[1] + '/*.data')); want = sys.argv[2]
phases = [('meter', ['rewriteModule', 'transformSole']), ('validate', ['validateCore']), ('plan', ['planComponent']),
          ('encodePlan', ['encodePlan']), ('write', ['disk-cache.js']),
          ('compile', ['compileSync']), ('describe', ['describe', 'readMeterInfo']),
          ('kernel-new', ['JS:~Kernel ', 'JS:^Kernel ', 'JS:*Kernel ']), ('close', ['close file']), ('load-other', ['loader.js', 'kernel.js'])]
c = collections.Counter()
for f in files:
    out = subprocess.run(['perf', 'script', '-i', f, '-F', 'pid,tid,ip,sym'], capture_output=True, text=True).stdout
    for block in out.split('\n\n'):
        lines = [l for l in block.split('\n') if l.strip()]
        if not lines: continue
        m = re.match(r'\s*(\d+)/(\d+)', lines[0])
        if not m or m.group(1) != m.group(2): continue
        frames = [re.sub(r'^\s*[0-9a-f]+\s+', '', l) for l in lines[1:]]
        st = ' | '.join(frames); ph = None
        for name, keys in phases:
            if any(k in st for k in keys): ph = name; break
        if ph != want: continue
        js = [x for x in frames if x.startswith('JS:')]
        c[' < '.join(j[3:].replace('file:///tmp/cold16/base/dist/','')[:60] for j in js[:int(sys.argv[3])])] += 1
N = sum(c.values()); print('samples', N)
for k, v in c.most_common(int(sys.argv[4]) if len(sys.argv) > 4 else 25): print(f'{v:5d} {100*v/N:5.1f}% {k}')
