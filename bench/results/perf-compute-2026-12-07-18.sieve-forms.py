# sieve18's hand-made forms of metered c-sieve (bench/results/perf-compute-2026-12-07-18.md,
# "sieve18"). Input: c-sieve.o.wat = `wasm2wat --enable-all` of `meterModule(c-sieve.wasm)` at
# fcd8400 (883 bytes); the line numbers below are that file's. Usage:
#   python3 THIS c-sieve.o.wat   ->  c-sieve.out.wat, c-sieve.tail2.wat (then wat2wasm --enable-all)
# out:   the work's refill calls out of the peeled outer loop, each site's rest of the turn
#        written again after it (outlined.ts's form applied to the work).
# tail2: the function split in two: $core holds no `call` (each refill site saves the fuel and
#        `return_call`s $slow with every local and a site number); $slow calls fuel_slice and
#        `return_call`s $core, which enters the outer loop's header, or the strided loop's chunk
#        loop (site 2); the per-turn fallback (site 3) finishes its turn in $slow.
import re
import sys

L = open(sys.argv[1]).read().split('\n')


def ln(a, b):
    return L[a - 1 : b]


refill = ['local.get 9', 'global.set 0', 'call 0', 'global.get 0', 'local.set 9']
B = ln(332, 353)  # the outer loop's tail, its condition left for br_if $outer

# --- out ---
def remap(lines):
    out = []
    for s in lines:
        s = re.sub(r'(br_if|br) \d+ \(;@5;\)', r'\1 $h', s)
        s = re.sub(r'(br_if|br) \d+ \(;@4;\)', r'\1 $outer', s)
        s = re.sub(r'(br_if|br) \d+ \(;@3;\)', r'\1 $exit', s)
        out.append(s)
    return out


body = ln(82, 355)
r = lambda n: n - 82
b2 = remap(body[: r(242)] + ['br $s1'] + body[r(248) : r(302)] + ['br $s2'] + body[r(308) :])
copy1 = ['block'] * 4 + ln(204, 310) + ['end', 'end'] + B + ['br_if $again', 'br $exit']
copy2 = ['block'] * 3 + ln(272, 310) + ['end', 'end'] + B + ['br_if $again', 'br $exit']
out = (
    ln(1, 78)
    + ['block $exit', 'loop $again', 'block $s2', 'block $s1', 'block $h', 'loop $outer']
    + b2 + ['end', 'end'] + refill + ['br $again', 'end'] + refill + copy1 + ['end'] + refill + copy2
    + ['end', 'end'] + ln(365, len(L))
)
open('c-sieve.out.wat', 'w').write('\n'.join(out))

# --- tail2 ---
T = ['i32'] * 6 + ['i64'] * 4 + ['i32', 'i64', 'i32']
push = [f'local.get {i}' for i in range(13)]
save = ['local.get 9', 'global.set 0']
leave = lambda k: save + push + [f'i32.const {k}', 'return_call $slow']
resume = lambda k: save + push + [f'i32.const {k}', 'return_call $core']
epi = ln(365, 371) + save + ['return']


def replace(a_, b_, sites):  # each site: the 6 lines `local.get 9 .. call 0 .. br`
    out, cur = [], a_
    for at, k in sorted(sites):
        out += ln(cur, at - 3) + leave(k)
        cur = at + 4
    return out + ln(cur, b_)


sec = replace(79, 364, [(359, 1), (244, 2), (304, 3)])
copy1f = ['block'] * 4 + replace(204, 310, [(244, 2), (304, 3)]) + ['end', 'end'] + B + ['i32.eqz', 'if'] + epi + ['end']
copy2 = ['block'] * 3 + ln(272, 310) + ['end', 'end'] + B + ['if'] + resume(1) + ['end'] + epi
params = ' '.join(T) + ' i32'
core = (
    [f'(func $core (param {params}) (result i32)', 'local.get 13', 'if (result i32)', 'global.get 0', 'local.set 9',
     'local.get 13', 'i32.const 2', 'i32.eq', 'if'] + copy1f + ['end'] + sec + ln(365, 371)
    + ['else'] + ln(14, 78) + sec + ln(365, 379) + ['end', 'local.get 9', 'global.set 0', 'return)']
)
slow = (
    [f'(func $slow (param {params}) (result i32)', 'call 0', 'global.get 0', 'local.set 9',
     'local.get 13', 'i32.const 3', 'i32.eq', 'if'] + copy2
    + ['end', 'local.get 9', 'global.set 0'] + push + ['local.get 13', 'return_call $core)']
)
entry = ['(func (;3;) (type 0) (param i32) (result i32)', 'local.get 0'] + [f'{t}.const 0' for t in T[1:]] + ['i32.const 0', 'return_call $core)']
open('c-sieve.tail2.wat', 'w').write('\n'.join(ln(1, 11) + entry + ln(383, 386) + core + slow + ln(387, len(L))))
