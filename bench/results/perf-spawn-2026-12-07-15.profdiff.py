# python3 profdiff.py <profDirA> <profDirB> <spawns>: self time per spawn by function of two --cpu-prof runs of loop.mjs (perf-spawn-2026-12-07-13.loop.mjs), A - B
import json,sys,glob,collections
def load(d):
    p=json.load(open(glob.glob(d+'/*.cpuprofile')[0]))
    nodes={n['id']:n for n in p['nodes']}
    by=collections.Counter()
    def key(n): cf=n['callFrame']; return f"{cf['functionName'] or '(anon)'} {cf['url'].split('/')[-1]}:{cf['lineNumber']+1}"
    for s in p['samples']: by[key(nodes[s])]+=1
    tot=len(p['samples']); dur=p['endTime']-p['startTime']
    return {k:v*dur/tot for k,v in by.items()}
a=load(sys.argv[1]); b=load(sys.argv[2]); n=float(sys.argv[3])
keys=set(a)|set(b)
rows=sorted(keys,key=lambda k:-(a.get(k,0)-b.get(k,0)))
print('total', sum(a.values())/n, sum(b.values())/n)
for k in rows[:25]: print(f"{a.get(k,0)/n:7.2f} {b.get(k,0)/n:7.2f} {(a.get(k,0)-b.get(k,0))/n:+7.2f} {k}")
print('...'); 
for k in rows[-8:]: print(f"{a.get(k,0)/n:7.2f} {b.get(k,0)/n:7.2f} {(a.get(k,0)-b.get(k,0))/n:+7.2f} {k}")
