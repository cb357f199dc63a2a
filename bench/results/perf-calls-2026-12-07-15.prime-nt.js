
function prime() {
    const u32 = { kind: 'u32' };
    for (let n = 0; n <= 3; n++) {
        const type = { kind: 'func', params: Array.from({ length: n }, (_, k) => ({ name: `p${k}`, type: u32 })), results: [{ name: undefined, type: u32 }] };
        let mode = 0;
        const gate = { busy: 0, enter() { this.busy = 4; }, leave() { if (this.busy !== 4) return false; this.busy = 1; return true; } };
        const owner = { refuse() { gate.busy = 0; }, after() { gate.busy = 1; }, fail() { gate.busy = 1; return undefined; } };
        const core = () => { if (mode === 2) gate.busy = 8; return 0; };
        const x = { type, core, inst: { mayEnter: true, mayLeave: true }, slot: {} };
        const f = scalarCall(x, gate, owner, 'prime');
        for (let i = 0; i < 64; i++) {
            mode = i % 3;
            gate.busy = i % 4 === 0 ? 0 : 1;
            if (n === 0) f(); else if (n === 1) f(1); else if (n === 2) f(1, 1); else f(1, 1, 1);
        }
    }
}
prime();
