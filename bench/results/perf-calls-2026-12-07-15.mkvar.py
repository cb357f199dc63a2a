import sys, os, shutil
# mkvar.py NAME BASE 'py-replacements'  : copy BASE tree, apply exec'd edits to s (fast.js text)
name, base, code = sys.argv[1], sys.argv[2], sys.argv[3]
P='/tmp/perf-fn15/'
if os.path.exists(P+name): shutil.rmtree(P+name)
os.mkdir(P+name)
for f in os.listdir(P+'base'):
    if f != 'dist': os.symlink(os.path.realpath(P+'base/'+f), P+name+'/'+f)
shutil.copytree(P+base+'/dist', P+name+'/dist')
p=P+name+'/dist/host/abi/fast.js'
s=open(p).read()
a=s.index('return function scalar2(a, b) {')
b=s.index('        default:', a)
body=s[a:b]
exec(code)
a=s.index('return function scalar2(a, b) {')
b=s.index('        default:', a)
s=s[:a]+body+s[b:]
open(p,'w').write(s)
