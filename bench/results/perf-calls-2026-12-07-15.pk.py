body = '''return function scalar2(a, b) {
                if (gate.busy === 1) {
                    if (arguments.length === 2) {
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
                        if (gate.busy === 1)
                            return value;
                        owner.after(exportName);
                        return value;
                    }
                    return slow(-1, arguments.length);
                }
                return rare(arguments.length, a, b);
            };
'''
s = s + open('/tmp/perf-fn15/prime2.js').read()
