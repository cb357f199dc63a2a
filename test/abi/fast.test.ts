/**
 * The fast path's scalar function (host/abi/fast.ts) on its own, with a fake gate and owner and
 * a JavaScript function as the core export: every branch the kernel's tests cannot reach
 * directly — an entry refused while the component instance calls out (a guest resource's
 * destructor that calls an import runs without the sandbox's gate), post-return with the
 * may-leave flag down, the slow steps of each kind — and the strict checks at each arity.
 */
import { describe, expect, it } from 'vitest';
import { type CallGate, type CallOwner, type ScalarExport, scalarCall } from '../../host/abi/fast.js';
import { markHost, NO_MARK } from '../../host/abi/handles.js';
import type { FuncType, ValType } from '../../host/abi/types.js';

const t = (kind: string) => ({ kind }) as ValType;

function fnType(params: string[], result?: string): FuncType {
  return {
    kind: 'func',
    params: params.map((kind, k) => ({ name: `p${k}`, type: t(kind) })),
    results: result ? [{ name: undefined, type: t(result) }] : [],
  };
}

/** A gate that is always open, an owner that records what reaches it and rethrows. */
function harness(
  params: string[],
  result: string | undefined,
  core: (...args: any[]) => any,
  postReturn?: (...flat: unknown[]) => void,
) {
  const seen: unknown[] = [];
  // As an `InstanceState` outside a sandbox: its gate is `NO_MARK` (post-return reads it).
  const inst = { mayEnter: true, mayLeave: true, gate: NO_MARK };
  const gate: CallGate = {
    busy: 0,
    enter() {
      this.busy = 4;
    },
    leave() {
      this.busy = 1;
      return true;
    },
  };
  const owner: CallOwner = {
    refuse() {},
    after() {},
    fail(error) {
      seen.push(error);
      throw error;
    },
  };
  const x = { type: fnType(params, result), core, inst, slot: { postReturn } } as unknown as ScalarExport;
  return { f: scalarCall(x, gate, owner, 'pkg:ns/iface#f'), inst, gate, seen };
}

describe("the fast path's scalar function", () => {
  it('calls the core export with checked arguments at every arity, and lifts the result', () => {
    expect(harness([], 'u32', () => -1).f()).toBe(4294967295);
    expect(harness(['u8'], 'u8', (a) => a + 255).f(2)).toBe(1);
    expect(harness(['s32', 's32'], 's32', (a, b) => a + b).f(-2147483648, 5)).toBe(-2147483643);
    expect(harness(['u16', 'f64', 'bool'], 'bool', (a, b, c) => a + b + c).f(1, 0.5, true)).toBe(true);
    expect(harness(['s64'], 's64', (a) => a * 2n).f(-3n)).toBe(-6n);
    expect(harness(['char'], 'char', (a) => a).f('é')).toBe('é');
    expect(harness(['f32'], undefined, () => 7).f(1.25)).toBeUndefined();
  });

  it('refuses u8 300, a number for a BigInt and a BigInt for a number, a bad char, a wrong arity', () => {
    const u8 = harness(['u8', 'u8'], 'u8', () => 0);
    expect(() => u8.f(300, 1)).toThrow(/argument 1 \(p0: u8\) of "pkg:ns\/iface#f": 300 is not a u8/);
    expect(() => u8.f(1, -1)).toThrow(/argument 2 \(p1: u8\)/);
    expect(() => u8.f(1)).toThrow(/takes 2 argument\(s\) \(p0: u8, p1: u8\), got 1/);
    expect(() => u8.f(1, 2, 3)).toThrow(/got 3/);
    expect(u8.seen.every((e) => (e as { code?: string }).code === 'invalid-argument')).toBe(true);
    expect(u8.seen).toHaveLength(4);
    const mixed = harness(['u32', 's64', 'char'], undefined, () => undefined);
    expect(() => mixed.f(1n, 1n, 'a')).toThrow(/argument 1 \(p0: u32\)/);
    expect(() => mixed.f(1, 1, 'a')).toThrow(/argument 2 \(p1: s64\).*BigInt/);
    expect(() => mixed.f(1, 1n, 'ab')).toThrow(/argument 3 \(p2: char\)/);
    expect(() => mixed.f(1, 1n, '\ud800')).toThrow(/argument 3 \(p2: char\)/);
    expect(() => mixed.f(2 ** 32, 1n, 'a')).toThrow(/argument 1 \(p0: u32\)/);
    expect(() => mixed.f(Number.NaN, 1n, 'a')).toThrow(/argument 1 \(p0: u32\)/);
    expect(() => harness(['f64'], undefined, () => 0).f(1n)).toThrow(/argument 1 \(p0: f64\)/);
    expect(() => harness(['s8'], undefined, () => 0).f(-129)).toThrow(/argument 1 \(p0: s8\)/);
  });

  it('refuses an entry while the component instance calls out, also after the flag was ever written', () => {
    let calls = 0;
    const h = harness(['u32'], 'u32', (a) => {
      calls++;
      return a;
    });
    // Calling out as a lowered import does (host/abi/calls.ts): the gate's word marked first
    // (`markHost`), then the flag down; the mark sends the call the marked way, which reads the flag.
    const callOut = (out: boolean) => {
      if (out) markHost(h.gate);
      h.inst.mayEnter = !out;
    };
    // Warm up with the flag as it is before the guest's first import call, then write it (V8 no
    // longer treats it as a constant).
    for (let i = 0; i < 1000; i++) h.f(i);
    callOut(true);
    expect(() => h.f(1)).toThrow(/a component instance was entered while it called out/);
    expect(calls).toBe(1000);
    callOut(false);
    expect(h.f(5)).toBe(5);
    callOut(true);
    for (let i = 0; i < 100; i++) expect(() => h.f(i)).toThrow(/entered while it called out/);
    expect(calls).toBe(1001);
  });

  it('writes nothing while the gate word is exactly open, and takes the marked way otherwise', () => {
    const h = harness(['u32', 'u32'], 'u32', (a, b) => a + b);
    const gate = h.gate;
    let entered = 0;
    let writes = 0;
    let word = 0;
    // The word as an accessor: every write counted.
    Object.defineProperty(gate, 'busy', {
      get: () => word,
      set: (v: number) => {
        writes++;
        word = v;
      },
    });
    const enter = gate.enter;
    gate.enter = function (this: CallGate) {
      entered++;
      enter.call(this);
    };
    expect(h.f(1, 2)).toBe(3); // word 0: the marked way (enter, leave), which leaves it open
    expect(entered).toBe(1);
    expect(word).toBe(1);
    writes = 0;
    for (let i = 0; i < 100; i++) expect(h.f(i, 1)).toBe(i + 1);
    expect(entered).toBe(1);
    expect(writes).toBe(0);
    markHost(gate); // host code of a call in progress ran: the next call takes the marked way
    expect(word).toBe(65);
    expect(h.f(2, 2)).toBe(4);
    expect(entered).toBe(2);
  });

  it('runs post-return after lifting, with the may-leave flag down', () => {
    const during: boolean[] = [];
    const h = harness(
      ['u32'],
      'u32',
      (a) => a + 1,
      (r) => {
        during.push(h.inst.mayLeave);
        expect(r).toBe(2);
      },
    );
    expect(h.f(1)).toBe(2);
    expect(during).toEqual([false]);
    expect(h.inst.mayLeave).toBe(true);
  });
});
