body = '''return function scalar2(a, b) {
                let value;
                let step = 0;
                if (gate.busy === 1) {
                    if (arguments.length !== 2)
                        return slow(-1, arguments.length);
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
                    try {
                        value = done(ft, rk, inst, slot, core(a, b));
                        step = 1;
                    }
                    catch (error) {
                        value = error;
                        step = 2;
                    }
                    if (step === 1 && gate.busy === 1)
                        return value;
                }
                return rest(step, arguments.length, a, b, value);
            };
'''
s = s.replace("const rare = (n, a, b, c) => rareCall(x, gate, owner, exportName, rk, n, a, b, c);",
 "const rare = (n, a, b, c) => rareCall(x, gate, owner, exportName, rk, n, a, b, c);\n    const rest = (step, n, a, b, v) => step === 0 ? rareCall(x, gate, owner, exportName, rk, n, a, b, undefined) : step === 1 ? (owner.after(exportName), v) : owner.fail(v, exportName);", 1)
assert 'const rest' in s
