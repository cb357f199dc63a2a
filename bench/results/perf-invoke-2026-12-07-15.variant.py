# BASE=tree OUT=dir python3 variant.py NAME EDIT... : copy BASE's dist to OUT/NAME and apply the named edits
# (ablations: each removes a piece of invokeSync's work, to see what it costs; not correct code)
import os, shutil, sys
BASE = os.environ['BASE']; OUT = os.environ.get('OUT', '/tmp')
name = sys.argv[1]; edits = sys.argv[2:]
root = f'{OUT}/{name}'
shutil.rmtree(root, ignore_errors=True); os.makedirs(root)
shutil.copytree(BASE + '/dist', root + '/dist'); shutil.copy(BASE + '/package.json', root)
os.symlink(os.path.realpath(BASE + '/guests'), root + '/guests'); os.symlink(os.path.realpath(BASE + '/node_modules'), root + '/node_modules')
E = {
 'nostart': [('this.#fuel.start(this.id, exportName, given ? optionsFuel(options) : undefined, deadline.ran());', 'deadline.ran();')],
 'norefill': [('''        if (this.#parts.meter)
            this.#parts.events.refillIfIdle();
        return fuel;''', '        return fuel;')],
 'norenew': [('const used = meter.renew(this.#limits.fuel, this.#limits.fuelTotal);', 'const used = this.#idleUsed;')],
 'nolast': [('this.#last = { used: used - this.#budgetStart, limit: this.#budget };', 'this.#last ??= { used: used - this.#budgetStart, limit: this.#budget };')],
 'nofinish': [('const used = meter.renew(this.#limits.fuel, this.#limits.fuelTotal);', 'return this.#last ??= {used: 0, limit: 0};')],

 'nofuel': [('this.#fuel.start(this.id, exportName, given ? optionsFuel(options) : undefined, deadline.ran());', 'deadline.ran();'),
            ('const fuel = this.#endBudget();', 'const fuel = FIXEDFUEL;'),
            ('const NO_ARGUMENTS', 'const FIXEDFUEL = {used: 0, limit: 1};\nconst NO_ARGUMENTS')],
 'noconv': [('const callArgs = target.fromJson(args);', 'const callArgs = args;')],
 'nowin': [('''        this.beginEventWindow();
        try {
            const callArgs = this.#beginCall(call, exportName, args, options);
            try {
                return this.#endCall(call, callWith(call.fn, callArgs));''', '''        try {
            const callArgs = this.#beginCall(call, exportName, args, options);
            try {
                return this.#endCall(call, callWith(call.fn, callArgs));'''),
           ('''        finally {
            this.endEventWindow();
        }
    }

    async #invokeRemote''', '''        finally {
        }
    }

    async #invokeRemote''')],
 'noout': [('return { value: toJsonResult(value), fuel };', 'OUTC.value = value; OUTC.fuel = fuel; return OUTC;'),
           ('const NO_ARGUMENTS', 'const OUTC = {value: 0, fuel: 0};\nconst NO_ARGUMENTS')],
 'noreq': [('const request = this.#ids.nextRequest();', 'const request = 1;')],
 'nowants': [('if ((given && timedBy(options)) || parts.events.wants(EVENTS.invokeEnd))', 'if (given && timedBy(options))'), ('if (parts.events.wants(EVENTS.invokeStart))', 'if (false)'),
             ('if (!Number.isNaN(call.started) || this.#parts.events.wants(EVENTS.invokeEnd))', 'if (!Number.isNaN(call.started))')],
}
F = {'norenew': 'sandbox/fuel.js', 'nolast': 'sandbox/fuel.js', 'nofinish': 'sandbox/fuel.js'}
for e in edits:
    p = root + '/dist/host/kernel/' + F.get(e, 'sandbox.js')
    s = open(p).read()
    for a, b in E[e]:
        assert s.count(a) >= 1, (e, a)
        s = s.replace(a, b, 1)
    open(p, 'w').write(s)
print('made', root, edits)
