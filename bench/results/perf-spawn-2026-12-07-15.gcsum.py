# python3 gcsum.py <trace>: young (Scavenge) and full (Mark-Compact) collections and their ms inside each @@B..@@E batch of a TRACE=1 --trace-gc run of spawn.mjs
import sys,re,collections
cur=None; counts=collections.defaultdict(list); c=None
for line in open(sys.argv[1]):
    if line.startswith('@@B'):
        subj=line.split()[1]; cur=subj; c={'sc':0,'mc':0,'ms':0.0,'sms':0.0}
    elif line.startswith('@@E'):
        counts[cur].append(c); cur=None
    elif cur and ('Scavenge' in line or 'Mark-Compact' in line):
        k='sc' if 'Scavenge' in line else 'mc'; c[k]+=1
        m=re.search(r'MB, ([\d.]+) /',line)
        if m:
            c['ms']+=float(m.group(1))
            if k=='sc': c['sms']+=float(m.group(1))
for s,l in counts.items():
    print(s, 'scavenges', [x['sc'] for x in l], 'mark-compacts', [x['mc'] for x in l], 'gc ms', [round(x['ms'],1) for x in l], 'scav ms', [round(x['sms'],1) for x in l])
