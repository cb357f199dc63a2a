# python3 tree.py <profdir> <n> [minus]: inclusive and self time per spawn by function (call tree), us
import json,sys,glob,collections
p=json.load(open(glob.glob(sys.argv[1]+'/*.cpuprofile')[0])); n=float(sys.argv[2])
nodes={x['id']:x for x in p['nodes']}; parent={}
for x in p['nodes']:
    for c in x.get('children',[]): parent[c]=x['id']
dt=(p['endTime']-p['startTime'])/len(p['samples'])
def key(x): cf=x['callFrame']; return f"{cf['functionName'] or '(anon)'} {cf['url'].split('/')[-1]}:{cf['lineNumber']+1}"
inc=collections.Counter(); slf=collections.Counter()
for s in p['samples']:
    slf[key(nodes[s])]+=1; seen=set(); i=s
    while i is not None:
        k=key(nodes[i])
        if k not in seen: inc[k]+=1; seen.add(k)
        i=parent.get(i)
for k,v in inc.most_common(70): print(f"{v*dt/n:7.2f} {slf[k]*dt/n:7.2f} {k}")
