# mut.py NAME... : each mark or reader of the host mark taken out of the source in turn, the guard test run, the source put back
import sys,subprocess,shutil,re
muts = {
 'scalar-lowered': ('host/abi/calls.ts', lambda s: s.replace("        if (gate.busy === 1) gate.busy = 65; // markHost (GATE_OPEN, GATE_OPEN | HOST)\n","")),
 'general-lowered': ('host/abi/calls.ts', lambda s: s.replace("    markHost(gate);\n    if (!inst.mayLeave) trap(","    if (!inst.mayLeave) trap(")),
 'resource-new': ('host/abi/instance.ts', lambda s: s.replace("are host code.\n          markHost(gate);","are host code.\n")),
 'resource-rep': ('host/abi/instance.ts', lambda s: s.replace("exhaustion).\n          markHost(gate);","exhaustion).\n")),
 'resource-drop': ('host/abi/instance.ts', lambda s: s.replace("embedder's code.\n          markHost(gate);","embedder's code.\n")),
 'meter-slice': ('host/meter/runtime.ts', lambda s: s.replace("        this.#events.onHostEntry?.();\n        this.#fuelSlice();","        this.#fuelSlice();")),
 'meter-memgrow': ('host/meter/runtime.ts', lambda s: s.replace("        this.#events.onHostEntry?.();\n        return this.#memoryGrow(","        return this.#memoryGrow(")),
 'meter-tablegrow': ('host/meter/runtime.ts', lambda s: s.replace("        this.#events.onHostEntry?.();\n        return this.#tableGrow(","        return this.#tableGrow(")),
 'reader-inFastCall': ('host/kernel/sandbox.ts', lambda s: s.replace("return (this.#parts.deadline.busy & CALL_IN_PROGRESS) !== 0;","return (this.#parts.deadline.busy & 4) !== 0;")),
 'reader-checkRunnable': ('host/kernel/sandbox.ts', lambda s: s.replace("(this.#parts.deadline.busy & CALL_IN_PROGRESS) === 0) return;","(this.#parts.deadline.busy & 4) === 0) return;")),
 'reader-left': ('host/kernel/deadline.ts', lambda s: s.replace("if ((busy & CALL_IN_PROGRESS) !== 0) {","if ((busy & IN_CALL) !== 0) {")),
}
for name in sys.argv[1:]:
    path, f = muts[name]
    orig = open(path).read()
    new = f(orig)
    assert new != orig, name
    shutil.copy(path, '/tmp/perf-fn14/mut.bak')
    open(path,'w').write(new)
    try:
        r = subprocess.run('timeout 600 npx vitest run test/hostile/abi/scalar-call-from-host-code.test.ts 2>&1', shell=True, capture_output=True, text=True)
        out = r.stdout
        fails = re.findall(r'FAIL .*?> scalar-call-from-host-code\S* > (.*)', re.sub(r'\x1b\[[0-9;]*m','',out))
        tests = re.findall(r'Tests\s+(.*)', re.sub(r'\x1b\[[0-9;]*m','',out))
        print(name, tests, flush=True)
        for x in sorted(set(fails)): print('   FAIL', x, flush=True)
    finally:
        shutil.copy('/tmp/perf-fn14/mut.bak', path)
