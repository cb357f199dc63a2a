/**
 * A seeded generator of modules built around counted loops (host/meter/counted.ts), for the
 * counted-loop fuzzer: the same seed always gives the same bytes.
 *
 * Every export `f0`, `f1`, ... is `(a, b, c: i32) -> (acc, i: i32)` and runs one loop in the
 * `while` or `do` shape, with an induction variable `i`, a bound (a local or a constant), one of
 * every comparison in either operand order (or `if (i)`, or the increment's own `local.tee`),
 * steps of every size and sign, starts and bounds at the i32 extremes, and straight-line
 * filler that reads and writes memory. A budget (`1 / k` every turn, `k` counting down) makes a
 * loop that would turn too long trap with "divide by zero", so every call ends on plain V8.
 *
 * Some loops are near misses built to fool the analysis: a second write of `i`, a write of the
 * bound, a step that is not a constant, a second back edge from the exit path, an unsupported
 * comparison. Some run inside an outer loop. The rewriter must charge each of them exactly.
 *
 * About a third of the loops are strided (host/meter/strided.ts): an `i64` variable `j` moved
 * by a step read from a local or extended from an i32 one, tested with `<` or `>` (signed or
 * not, either order, or through the increment's tee) against a bound that is a local or an
 * extended i32, with steps of 0, negative, and near the i64 extremes, bounds where `bound + step`
 * wraps (the count's guard fails and the loop is charged per turn), and near misses (a write of
 * the step or the bound, a second write of `j`, `j - s`, `<=`, `!=`, a second back edge).
 */
import { funcType, HEADER, name, section, sleb, uleb, vec } from '../spec/binary.js';
import { Rng } from './rng.js';

const A = 0;
const B = 1;
const C = 2;
const I = 3;
const N = 4;
const ACC = 5;
const X = 6;
const K = 7;
const J = 8;
const OUTER = 9;
const LOCALS = 7; // i, n, acc, x, k, j, outer
// i64 locals of the strided loops (host/meter/strided.ts): variable, bound, step.
const J64 = 10;
const N64 = 11;
const S64 = 12;
const LOCALS64 = 3;

/** The budget of turns: beyond it a loop traps. */
export const TURN_BUDGET = 3000;

const EDGES = [0, 1, -1, 2, 3, 7, 64, 255, 0x7fffffff, -0x80000000, 0x7ffffffe, -0x7fffffff, 100, -100, 1000];
const STEPS = [1, 1, 1, -1, -1, 2, -2, 4, -4, 8, 3, -3, 0x40000000, -0x80000000, 7];
// ne, lt_s, lt_u, gt_s, gt_u, le_s, le_u, ge_s, ge_u, eq (not counted)
const TESTS = [0x47, 0x47, 0x48, 0x48, 0x49, 0x4a, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x46];

export interface CountedModule {
  seed: number;
  bytes: Uint8Array;
  exports: string[];
}

const get = (l: number) => [0x20, ...uleb(l)];
const set = (l: number) => [0x21, ...uleb(l)];
const tee = (l: number) => [0x22, ...uleb(l)];
const i32 = (v: number) => [0x41, ...sleb(v | 0)];

class Body {
  readonly code: number[] = [];
  constructor(readonly rng: Rng) {}

  emit(...bytes: number[]): void {
    this.code.push(...bytes);
  }

  /** Straight-line work on acc and memory, reading `i` sometimes. */
  filler(): void {
    const rng = this.rng;
    for (let n = rng.int(4); n > 0; n--) {
      switch (rng.int(5)) {
        case 0:
          this.emit(...get(ACC), ...i32(rng.int(1000) + 1), rng.pick([0x6a, 0x6c, 0x73, 0x77]), ...set(ACC));
          break;
        case 1:
          this.emit(...get(ACC), ...get(I), 0x6a, ...set(ACC));
          break;
        case 2: // store acc at a small address derived from i
          this.emit(...get(I), ...i32(0x3ffc), 0x71, ...get(ACC), 0x36, 2, 0);
          break;
        case 3: // load it back into x, and fold x in
          this.emit(
            ...get(I),
            ...i32(0x3ffc),
            0x71,
            0x28,
            2,
            0,
            ...set(X),
            ...get(ACC),
            ...get(X),
            0x73,
            ...set(ACC),
          );
          break;
        default:
          this.emit(...get(X), ...i32(rng.int(31)), 0x77, ...tee(X), ...get(ACC), 0x6a, ...set(ACC));
      }
    }
  }

  /** `1 / k; k -= 1`: traps when the budget is spent. */
  budget(): void {
    this.emit(...i32(1), ...get(K), 0x6e, 0x1a, ...get(K), ...i32(1), 0x6b, ...set(K));
  }
}

interface LoopPlan {
  shape: 'while' | 'do';
  step: number;
  /** The write of i is `i - c` instead of `i + c`, or `c + i`. */
  incForm: 'add' | 'add-swapped' | 'sub';
  incInHead: boolean;
  test: number;
  testForm: 'get' | 'get-swapped' | 'tee' | 'tee-swapped' | 'truthy' | 'truthy-tee';
  boundConst: number | undefined;
  miss: 'none' | 'second-write' | 'bound-write' | 'variable-step' | 'second-edge';
}

function planLoop(rng: Rng): LoopPlan {
  const test = rng.pick(TESTS);
  // Half the loops take the step their test can count (the others are mostly near misses).
  let step = rng.pick(STEPS);
  if (rng.chance(0.5)) {
    if (test >= 0x48 && test <= 0x49) step = 1;
    else if (test >= 0x4a && test <= 0x4b) step = -1;
    else if (test === 0x4c || test === 0x4d) step = 1;
    else if (test === 0x4e || test === 0x4f) step = -1;
  }
  const extremes = [0x7fffffff, -0x80000000, -1, 0];
  return {
    shape: rng.chance(0.5) ? 'while' : 'do',
    step,
    incForm: rng.pick(['add', 'add', 'add-swapped', 'sub'] as const),
    incInHead: rng.chance(0.3),
    test,
    testForm: rng.pick(['get', 'get', 'get-swapped', 'tee', 'tee-swapped', 'truthy', 'truthy-tee'] as const),
    boundConst: rng.chance(0.4) ? rng.pick(rng.chance(0.4) ? extremes : EDGES) : undefined,
    miss: rng.weighted([
      [12, 'none'],
      [1, 'second-write'],
      [1, 'bound-write'],
      [1, 'variable-step'],
      [2, 'second-edge'],
    ] as const),
  };
}

/** `i = i + step`, in the plan's form; a tee leaves the new value on the stack. */
function increment(body: Body, p: LoopPlan, asTee: boolean): void {
  const write = asTee ? tee(I) : set(I);
  if (p.miss === 'variable-step') {
    body.emit(...get(I), ...get(C), 0x6a, ...write);
    return;
  }
  switch (p.incForm) {
    case 'add':
      body.emit(...get(I), ...i32(p.step), 0x6a, ...write);
      break;
    case 'add-swapped':
      body.emit(...i32(p.step), ...get(I), 0x6a, ...write);
      break;
    default:
      body.emit(...get(I), ...i32(-p.step), 0x6b, ...write);
  }
}

function bound(body: Body, p: LoopPlan): void {
  body.emit(...(p.boundConst === undefined ? get(N) : i32(p.boundConst)));
}

/** The test at the end of the head, leaving an i32 on the stack; writes i if its form is a tee. */
function test(body: Body, p: LoopPlan): boolean {
  switch (p.testForm) {
    case 'get':
      body.emit(...get(I));
      bound(body, p);
      break;
    case 'get-swapped':
      bound(body, p);
      body.emit(...get(I));
      break;
    case 'tee':
      increment(body, p, true);
      bound(body, p);
      body.emit(p.test);
      return true;
    case 'tee-swapped':
      bound(body, p);
      increment(body, p, true);
      body.emit(p.test);
      return true;
    case 'truthy':
      body.emit(...get(I));
      return false;
    default:
      increment(body, p, true);
      return true;
  }
  body.emit(p.test);
  return false;
}

function loopCode(body: Body, p: LoopPlan): void {
  const rng = body.rng;
  const miss = (): void => {
    if (p.miss === 'second-write') body.emit(...get(I), ...i32(1), 0x73, ...set(I));
    if (p.miss === 'bound-write') body.emit(...get(N), ...i32(1), 0x6a, ...set(N));
  };
  // A second back edge, taken a few times: `if (--j) br loop` from the exit path.
  const secondEdge = (label: number): void => {
    if (p.miss !== 'second-edge') return;
    body.emit(...get(J), ...i32(1), 0x6b, ...tee(J), 0x0d, ...uleb(label));
  };
  body.emit(0x03, 0x40); // loop
  let wrote = false;
  if (p.shape === 'while') {
    body.filler();
    body.budget();
    if (p.incInHead && !p.testForm.startsWith('tee') && p.testForm !== 'truthy-tee') {
      increment(body, p, false);
      wrote = true;
    }
    body.filler();
    wrote = test(body, p) || wrote;
    body.emit(0x04, 0x40); // if
    body.filler();
    if (!wrote) increment(body, p, false);
    miss();
    body.filler();
    body.emit(0x0c, 1); // br 1
    if (rng.chance(0.5) || p.miss === 'second-edge') {
      body.emit(0x05); // else
      body.filler();
      secondEdge(1);
    }
    body.emit(0x0b);
    body.filler();
  } else {
    body.filler();
    body.budget();
    const teeTest = p.testForm.startsWith('tee') || p.testForm === 'truthy-tee';
    if (!teeTest) increment(body, p, false);
    miss();
    body.filler();
    test(body, p);
    body.emit(0x0d, 0); // br_if 0
    body.filler();
    secondEdge(0);
  }
  body.emit(0x0b); // end loop
}

const EDGES64 = [
  0n,
  1n,
  -1n,
  2n,
  7n,
  100n,
  -100n,
  1000n,
  2n ** 63n - 1n,
  -(2n ** 63n),
  2n ** 63n - 2n,
  -(2n ** 63n) + 1n,
  2n ** 32n,
  2n ** 32n - 1n,
  2n ** 62n,
  -(2n ** 62n),
];
const STEPS64 = [
  1n,
  1n,
  2n,
  3n,
  7n,
  100n,
  1000n,
  -1n,
  -3n,
  0n,
  2n ** 62n,
  2n ** 63n - 1n,
  -(2n ** 63n),
  2n ** 32n + 1n,
];
const i64 = (v: bigint) => [0x42, ...sleb(v)];
const EXTEND_S = 0xac;
const EXTEND_U = 0xad;

interface StridedPlan {
  shape: 'while' | 'do';
  /** i64.lt_s, lt_u (or gt_s, gt_u with the operands swapped); near misses le_s, ne. */
  test: 'lt_s' | 'lt_u' | 'le_s' | 'ne';
  testForm: 'get' | 'get-swapped' | 'tee' | 'tee-swapped';
  incInHead: boolean;
  incSwapped: boolean;
  /** The bound and the step: an i64 local, or an i32 one extended (signed or not). */
  bound: 'local' | 'extend-s' | 'extend-u';
  stride: 'local' | 'extend-s' | 'extend-u';
  miss: 'none' | 'second-write' | 'bound-write' | 'step-write' | 'sub' | 'second-edge';
}

function planStrided(rng: Rng): StridedPlan {
  return {
    shape: rng.chance(0.5) ? 'while' : 'do',
    test: rng.weighted([
      [4, 'lt_s'],
      [4, 'lt_u'],
      [1, 'le_s'],
      [1, 'ne'],
    ] as const),
    testForm: rng.pick(['get', 'get', 'get-swapped', 'tee', 'tee', 'tee-swapped'] as const),
    incInHead: rng.chance(0.3),
    incSwapped: rng.chance(0.3),
    bound: rng.pick(['local', 'local', 'extend-s', 'extend-u'] as const),
    stride: rng.pick(['local', 'local', 'extend-s', 'extend-u'] as const),
    miss: rng.weighted([
      [14, 'none'],
      [1, 'second-write'],
      [1, 'bound-write'],
      [1, 'step-write'],
      [1, 'sub'],
      [2, 'second-edge'],
    ] as const),
  };
}

/** An i64 from an i32 local: extended signed or unsigned, or (`local`) the i64 local itself. */
function wide(body: Body, form: 'local' | 'extend-s' | 'extend-u', local64: number, local32: number): void {
  if (form === 'local') body.emit(...get(local64));
  else body.emit(...get(local32), form === 'extend-s' ? EXTEND_S : EXTEND_U);
}

/** `j = j + s` (or `s + j`; `j - s` as a near miss); a tee leaves the new value on the stack. */
function stride(body: Body, p: StridedPlan, asTee: boolean): void {
  const s = (): void => wide(body, p.stride, S64, C);
  if (p.incSwapped && p.miss !== 'sub') {
    s();
    body.emit(...get(J64));
  } else {
    body.emit(...get(J64));
    s();
  }
  body.emit(p.miss === 'sub' ? 0x7d : 0x7c, ...(asTee ? tee(J64) : set(J64)));
}

/** The test, leaving an i32; true if it wrote j through a tee. */
function stridedTest(body: Body, p: StridedPlan): boolean {
  const bound = (): void => wide(body, p.bound, N64, B);
  // lt_s 0x53, lt_u 0x54, gt_s 0x55, gt_u 0x56, le_s 0x57, ge_s 0x59, ne 0x52
  const op = { lt_s: [0x53, 0x55], lt_u: [0x54, 0x56], le_s: [0x57, 0x59], ne: [0x52, 0x52] }[p.test];
  switch (p.testForm) {
    case 'get':
      body.emit(...get(J64));
      bound();
      body.emit(op[0]!);
      return false;
    case 'get-swapped':
      bound();
      body.emit(...get(J64), op[1]!);
      return false;
    case 'tee':
      stride(body, p, true);
      bound();
      body.emit(op[0]!);
      return true;
    default:
      bound();
      stride(body, p, true);
      body.emit(op[1]!);
      return true;
  }
}

/** A strided loop: as `loopCode`, on j, then j folded into acc. */
function stridedCode(body: Body, p: StridedPlan): void {
  const miss = (): void => {
    if (p.miss === 'second-write') body.emit(...get(J64), ...i64(1n), 0x85, ...set(J64));
    if (p.miss === 'bound-write')
      body.emit(
        ...(p.bound === 'local'
          ? [...get(N64), ...i64(1n), 0x7c, ...set(N64)]
          : [...get(B), ...i32(1), 0x6a, ...set(B)]),
      );
    if (p.miss === 'step-write')
      body.emit(
        ...(p.stride === 'local'
          ? [...get(S64), ...i64(1n), 0x7c, ...set(S64)]
          : [...get(C), ...i32(1), 0x6a, ...set(C)]),
      );
  };
  // Something of j for acc, so that results show the variable.
  const fold = (): void => {
    body.emit(...get(ACC), ...get(J64), 0xa7, 0x73, ...set(ACC));
  };
  const secondEdge = (label: number): void => {
    if (p.miss !== 'second-edge') return;
    body.emit(...get(J), ...i32(1), 0x6b, ...tee(J), 0x0d, ...uleb(label));
  };
  body.emit(0x03, 0x40); // loop
  const teeTest = p.testForm.startsWith('tee');
  if (p.shape === 'while') {
    body.filler();
    body.budget();
    let wrote = false;
    if (p.incInHead && !teeTest) {
      stride(body, p, false);
      wrote = true;
    }
    wrote = stridedTest(body, p) || wrote;
    body.emit(0x04, 0x40); // if
    body.filler();
    fold();
    if (!wrote) stride(body, p, false);
    miss();
    body.filler();
    body.emit(0x0c, 1); // br 1
    if (p.miss === 'second-edge') {
      body.emit(0x05); // else
      secondEdge(1);
    }
    body.emit(0x0b);
  } else {
    body.filler();
    body.budget();
    fold();
    if (!teeTest) stride(body, p, false);
    miss();
    body.filler();
    stridedTest(body, p);
    body.emit(0x0d, 0); // br_if 0
    secondEdge(0);
  }
  body.emit(0x0b); // end loop
  fold();
}

/** j, the bound and the step: from the arguments (extended), constants at the i64 extremes, or j = a * a. */
function stridedStart(body: Body, rng: Rng): void {
  const fromArg = (param: number): void => {
    body.emit(...get(param), rng.chance(0.5) ? EXTEND_S : EXTEND_U);
  };
  switch (rng.int(3)) {
    case 0:
      fromArg(A);
      break;
    case 1:
      body.emit(...i64(rng.pick(EDGES64)));
      break;
    default:
      fromArg(A);
      fromArg(A);
      body.emit(0x7e); // i64.mul
  }
  body.emit(...set(J64));
  if (rng.chance(0.5)) fromArg(B);
  else body.emit(...i64(rng.pick(EDGES64)));
  body.emit(...set(N64));
  if (rng.chance(0.4)) fromArg(C);
  else body.emit(...i64(rng.pick(STEPS64)));
  body.emit(...set(S64));
}

function start(body: Body, local: number, param: number, rng: Rng): void {
  if (rng.chance(0.5)) body.emit(...get(param), ...set(local));
  else body.emit(...i32(rng.pick(EDGES)), ...set(local));
}

/**
 * Sometimes, code between the start and the loop that makes a constant start not the value
 * the loop starts with: a later write, a branch around a second constant, an `if` that writes.
 */
function prelude(body: Body, rng: Rng): void {
  const k = i32(rng.pick(EDGES));
  switch (rng.int(6)) {
    case 0:
      body.emit(...k, ...set(I), ...get(A), ...i32(1), 0x6a, ...set(I));
      break;
    case 1:
      body.emit(...k, ...set(I), ...get(A), ...tee(I), 0x1a);
      break;
    case 2: // block (br_if (c) skips) i = k2 end
      body.emit(...k, ...set(I), 0x02, 0x40, ...get(C), 0x0d, 0, ...i32(rng.pick(EDGES)), ...set(I), 0x0b);
      break;
    case 3: // if (c) i = a
      body.emit(...k, ...set(I), ...get(C), 0x04, 0x40, ...get(A), ...set(I), 0x0b);
      break;
    default:
      break;
  }
}

function functionBody(rng: Rng): number[] {
  const body = new Body(rng);
  body.emit(...i32(TURN_BUDGET), ...set(K));
  body.emit(...i32(3), ...set(J));
  body.emit(...get(C), ...set(ACC));
  // Set last, a constant start is known to the rewriter (a count it computes itself).
  if (rng.chance(0.5)) {
    start(body, I, A, rng);
    start(body, N, B, rng);
  } else {
    start(body, N, B, rng);
    start(body, I, A, rng);
  }
  prelude(body, rng);
  const outer = rng.chance(0.25);
  if (outer) {
    body.emit(...i32(3), ...set(OUTER));
    body.emit(0x03, 0x40); // outer loop: three turns, restarting i's start
  }
  const strided = rng.chance(0.35);
  if (strided) {
    stridedStart(body, rng);
    stridedCode(body, planStrided(rng));
  } else {
    loopCode(body, planLoop(rng));
  }
  if (outer) {
    body.emit(...get(I), ...i32(rng.pick(EDGES)), 0x73, ...set(I));
    body.emit(...get(OUTER), ...i32(1), 0x6b, ...tee(OUTER), 0x0d, 0, 0x0b);
  }
  if (rng.chance(0.3)) loopCode(body, planLoop(rng)); // a second loop after the first
  body.emit(...get(ACC), ...get(I), 0x0b);
  return [...uleb(2), ...uleb(LOCALS), 0x7f, ...uleb(LOCALS64), 0x7e, ...body.code];
}

export function generateCounted(seed: number, functions = 8): CountedModule {
  const rng = new Rng(seed);
  const sig = { params: ['i32', 'i32', 'i32'] as const, results: ['i32', 'i32'] as const };
  const exports = Array.from({ length: functions }, (_, f) => `f${f}`);
  const bodies = exports.map(() => functionBody(rng));
  const bytes = [
    ...HEADER,
    ...section(1, vec([funcType({ params: [...sig.params], results: [...sig.results] })])),
    ...section(3, vec(exports.map(() => uleb(0)))),
    ...section(5, vec([[0x00, ...uleb(1)]])),
    ...section(7, vec(exports.map((e, f) => [...name(e), 0x00, ...uleb(f)]))),
    ...section(10, vec(bodies.map((b) => [...uleb(b.length), ...b]))),
  ];
  return { seed, bytes: new Uint8Array(bytes), exports };
}

/** Arguments for one call: starts, bounds and step sizes near the extremes, or small. */
export function countedArgs(rng: Rng): [number, number, number] {
  const pick = (): number => (rng.chance(0.6) ? rng.pick(EDGES) : rng.int(4000) - 2000);
  return [pick(), pick(), rng.pick([1, -1, 2, 3, 0, 0x40000000])];
}
