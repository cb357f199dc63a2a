# python3 ablate.py BEFORE OUT: copies of BEFORE (a tree: dist/, package.json, node_modules, ...) with one
# piece of invokeSync taken out of dist/ (measurement only: these copies drop checks and accounting).
# Each OUT-<name> is then set against BEFORE in one process: node --expose-gc inv.mjs BEFORE OUT-<name>.
import os, shutil, sys
before, out = sys.argv[1], sys.argv[2]
S, F = 'dist/host/kernel/sandbox.js', 'dist/host/kernel/sandbox/fuel.js'
PATCHES = {
  # the event window (begin/end) around the invocation
  'noev': [(S, "invokeSync(exportName, args = NO_ARGUMENTS, options = NO_OPTIONS) {\n        this.beginEventWindow();", "invokeSync(exportName, args = NO_ARGUMENTS, options = NO_OPTIONS) {\n"),
           (S, "        finally {\n            this.endEventWindow();\n        }\n    }\n\n    async #invokeRemote", "        finally {\n        }\n    }\n\n    async #invokeRemote")],
  # the fuel account: start and finish (a constant report)
  'nofuel': [(S, "this.#fuel.start(this.id, exportName, options.fuel, deadline.ran());", "deadline.ran();"),
             (S, "        const fuel = this.#endBudget();\n        if (this.#parts.events.wants(EVENTS.invokeEnd))", "        const fuel = { used: 0, limit: 1 };\n        if (this.#parts.events.wants(EVENTS.invokeEnd))")],
  'fstart': [(S, "this.#fuel.start(this.id, exportName, options.fuel, deadline.ran());", "deadline.ran();")],
  'falloc': [(F, "this.#last = { used: used - this.#budgetStart, limit: this.#budget };", "this.#last ??= { used: used - this.#budgetStart, limit: this.#budget };")],
  'frefill': [(S, "        if (this.#parts.meter)\n            this.#parts.events.refillIfIdle();\n        return fuel;", "        return fuel;")],
  # the JSON arguments' conversion and checks
  'noconv': [(S, "const callArgs = target.fromJson(args);", "const callArgs = args;")],
  # the lifted export's call (lowering, the core call, lifting)
  'nocall': [(S, "return this.#endCall(call, callWith(call.target.fn, call.args));", "return this.#endCall(call, 2);")],
}
for name, patches in PATCHES.items():
    dst = f'{out}-{name}'
    shutil.rmtree(dst, ignore_errors=True); os.makedirs(dst)
    for entry in os.listdir(before):
        if entry != 'dist': os.symlink(os.path.realpath(os.path.join(before, entry)), os.path.join(dst, entry))
    shutil.copytree(os.path.join(before, 'dist'), os.path.join(dst, 'dist'))
    for path, old, new in patches:
        p = os.path.join(dst, path); s = open(p).read()
        assert s.count(old) == 1, (name, old); open(p, 'w').write(s.replace(old, new))
