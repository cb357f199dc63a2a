# python3 mk.py SRC DST fields,same,async : a dist variant of tree SRC. 'same' and 'fields' copy the files of v1, a
# copy of flip whose dist/host/abi/json.js (argumentsConverter returns args itself when every parameter is bool,
# 8-32-bit integer or char) and dist/host/kernel/sandbox.js (the call's state in sandbox fields, invoke as a plain
# function) were patched by hand as described in perf-invoke-2026-12-07-13.md; 'async' patches invoke here.
import sys,os,shutil
src,dst,parts=sys.argv[1],sys.argv[2],sys.argv[3].split(',')
if os.path.exists(dst): shutil.rmtree(dst)
os.makedirs(dst); shutil.copytree(src+'/dist',dst+'/dist')
for f in 'package.json node_modules guests wit vendor sdk wit-types bin'.split(): os.symlink('/work/main/'+f,dst+'/'+f)
v1='/tmp/perf-invoke13/v1/dist/'
if 'same' in parts: shutil.copy(v1+'host/abi/json.js',dst+'/dist/host/abi/json.js')
p=dst+'/dist/host/kernel/sandbox.js'; s=open(p).read()
if 'async' in parts:
    old="""        if (this.#bus.congested)
            await this.#bus.drained();
        const remote = this.#parts.exports.remote;
        if (remote)
            return this.#invokeRemote(remote, exportName, args, options);
        return this.invokeSync(exportName, args, options);
    }"""
    new="""        const remote = this.#parts.exports.remote;
        if (remote || this.#bus.congested)
            return this.#invokeWaiting(remote, exportName, args, options);
        try {
            return Promise.resolve(this.invokeSync(exportName, args, options));
        }
        catch (error) {
            return Promise.reject(error);
        }
    }
    async #invokeWaiting(remote, exportName, args, options) {
        if (this.#bus.congested)
            await this.#bus.drained();
        if (remote)
            return this.#invokeRemote(remote, exportName, args, options);
        return this.invokeSync(exportName, args, options);
    }"""
    assert old in s; s=s.replace(old,new); i=s.index('async invoke(exportName'); s=s[:i]+s[i+6:]
if 'fields' in parts:
    t=open(v1+'host/kernel/sandbox.js').read()
    a=t.index('    invokeSync(exportName'); b=t.index('    fn(exportName) {')
    a2=s.index('    invokeSync(exportName'); b2=s.index('    fn(exportName) {')
    s=s[:a2]+t[a:b]+s[b2:]
open(p,'w').write(s)
