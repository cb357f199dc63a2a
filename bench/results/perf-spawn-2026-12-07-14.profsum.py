import json,sys,glob,collections
p=json.load(open(glob.glob(sys.argv[1]+'/*.cpuprofile')[0]))
nodes={n['id']:n for n in p['nodes']}
self=collections.Counter()
for s in p['samples']: self[s]+=1
tot=len(p['samples'])
parent={}
for n in p['nodes']:
    for c in n.get('children',[]): parent[c]=n['id']
by=collections.Counter(); incl=collections.Counter()
def key(n): cf=n['callFrame']; return f"{cf['functionName'] or '(anon)'} {cf['url'].split('/')[-1]}:{cf['lineNumber']+1}"
for nid,c in self.items():
    by[key(nodes[nid])]+=c
    seen=set(); x=nid
    while x is not None:
        k=key(nodes[x])
        if k not in seen: incl[k]+=c; seen.add(k)
        x=parent.get(x)
print('self'); [print(f"{100*c/tot:5.1f}% {k}") for k,c in by.most_common(25)]
print('inclusive'); [print(f"{100*c/tot:5.1f}% {k}") for k,c in incl.most_common(45) if '.js' in k]
