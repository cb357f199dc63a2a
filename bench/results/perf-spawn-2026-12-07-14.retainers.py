# python3 retainers.py <heapsnapshot> <name> [count]: shortest retainer paths of nodes named <name> (back to a WebAssembly Instance or a root)
import json, sys, collections
s = json.load(open(sys.argv[1]))
m = s['snapshot']['meta']; nf = len(m['node_fields']); ef = len(m['edge_fields'])
nodes = s['nodes']; edges = s['edges']; strings = s['strings']
ntypes = m['node_types'][0]; etypes = m['edge_types'][0]
it, iname, iec = m['node_fields'].index('type'), m['node_fields'].index('name'), m['node_fields'].index('edge_count')
et, en, eto = m['edge_fields'].index('type'), m['edge_fields'].index('name_or_index'), m['edge_fields'].index('to_node')
N = len(nodes) // nf
rev = collections.defaultdict(list)
e = 0
for i in range(N):
    for _ in range(nodes[i*nf+iec]):
        t = etypes[edges[e+et]]; to = edges[e+eto] // nf; nm = edges[e+en]
        label = strings[nm] if t in ('context','property','internal','shortcut') else str(nm)
        if t != 'weak': rev[to].append((i, t + ':' + label))
        e += ef
def name(i): return ntypes[nodes[i*nf+it]] + ':' + strings[nodes[i*nf+iname]][:50]
targets = [i for i in range(N) if strings[nodes[i*nf+iname]] == sys.argv[2]][: int(sys.argv[3]) if len(sys.argv) > 3 else 2]
for t in targets:
    prev = {t: None}; q = collections.deque([t]); found = None
    while q:
        x = q.popleft()
        if name(x) in ('object:Instance',) and x != t: found = x; break
        for (p, lab) in rev[x]:
            if p not in prev: prev[p] = (x, lab); q.append(p)
    path = []; x = found
    while x is not None and prev[x] is not None:
        nx, lab = prev[x]; path.append(f'{name(x)} --{lab}--> '); x = nx
    print(''.join(path) + name(t))
