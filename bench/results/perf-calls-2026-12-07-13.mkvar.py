import sys, os, shutil, subprocess
# mkvar.py NAME BASE 'body'  : copy BASE tree, replace scalar2's body
name, base, body = sys.argv[1], sys.argv[2], sys.argv[3]
P='/tmp/perf-fn13/'
if os.path.exists(P+name): shutil.rmtree(P+name)
os.mkdir(P+name)
for f in os.listdir(P+'before'):
    if f != 'dist': os.symlink(os.path.realpath(P+'before/'+f), P+name+'/'+f)
shutil.copytree(P+base+'/dist', P+name+'/dist')
p=P+name+'/dist/host/abi/fast.js'
s=open(p).read()
a=s.index('return function scalar2(a, b) {')
b=s.index('        default:', a)
s=s[:a]+'return function scalar2(a, b) {\n'+body+'\n            };\n'+s[b:]
open(p,'w').write(s)
