body = '''return function scalar2(a, b) {
                const r = gate.pass(arguments.length, a, b);
                if (r !== undefined)
                    return r.v;
                if (k0 === 0) {
                    if (typeof a === 'number') {
                        const d = a - o0;
                        if (d >>> 0 !== d || d > s0)
                            a = slow(0, a);
                    }
                    else
                        a = slow(0, a);
                }
                else if (k0 !== 1 || typeof a !== 'number')
                    a = slow(0, a);
                if (k1 === 0) {
                    if (typeof b === 'number') {
                        const d = b - o1;
                        if (d >>> 0 !== d || d > s1)
                            b = slow(1, b);
                    }
                    else
                        b = slow(1, b);
                }
                else if (k1 !== 1 || typeof b !== 'number')
                    b = slow(1, b);
                let value;
                try {
                    value = done(ft, rk, inst, slot, core(a, b));
                }
                catch (error) {
                    return owner.fail(error, exportName);
                }
                gate.look(exportName);
                return value;
            };
'''
s = s.replace("const rare = (n, a, b, c) => rareCall(x, gate, owner, exportName, rk, n, a, b, c);",
 "const rare = (n, a, b, c) => rareCall(x, gate, owner, exportName, rk, n, a, b, c);\n    if (gate.pass === undefined) { gate.pass = NOOP; gate.look = NOOP; }", 1)
s = s + "\nfunction NOOP() {}\n"
