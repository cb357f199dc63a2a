/**
 * The fuel cost model, as data. Every instruction costs `default` unless `instructions` names
 * it; SIMD and atomic instructions cost `simd` and `atomic`. Operations whose work depends on
 * an operand (bulk memory and table operations, `memory.grow`, `table.grow`) pay their
 * instruction cost plus a charge computed at run time from that operand.
 *
 * Example: `meterModule(bytes, { costs: { instructions: { 'i64.div_s': 4 } } })`.
 */
import { KeelError } from '../kernel/errors.js';

export interface CostModel {
  /** Fuel of any instruction not named in `instructions`. */
  default: number;
  /** Fuel per instruction, by text-format name (`call`, `i32.add`, `memory.fill`, ...). */
  instructions: Readonly<Record<string, number>>;
  /** Fuel of every SIMD (`0xfd`-prefixed) instruction. */
  simd: number;
  /** Fuel of every atomic (`0xfe`-prefixed) instruction. */
  atomic: number;
  /** Extra fuel per page that `memory.grow` adds (a grow that fails adds none). */
  memoryGrowPerPage: number;
  /** Extra fuel per element that `table.grow` adds (a grow that fails adds none). */
  tableGrowPerElement: number;
  /** `memory.fill`, `memory.copy`, `memory.init`: one extra fuel per this many bytes (0: none). */
  bulkMemoryBytesPerFuel: number;
  /** `table.fill`, `table.copy`, `table.init`: extra fuel per element (0: none). */
  bulkTableFuelPerElement: number;
}

/**
 * Keel's default costs. Structure markers and instructions that compile to nothing are free,
 * as Wasmtime counts them; everything else costs 1, except what does host work: V8 runs bulk
 * memory and table operations, grows, `table.set`/`table.get` and exceptions out of line (a
 * call into its runtime, and work per byte, element or page). Those prices are calibrated so
 * that a unit of fuel costs about as much host time as a unit of compute does (docs/fuel.md,
 * "Calibration": `bench/fuel/run.ts` measures them; `test/bench/fuel-calibration.test.ts` keeps
 * the committed table true and every kind within 10x of compute).
 */
export const DEFAULT_COSTS: Readonly<CostModel> = Object.freeze({
  default: 1,
  instructions: Object.freeze({
    unreachable: 0,
    nop: 0,
    block: 0,
    loop: 0,
    else: 0,
    end: 0,
    try: 0,
    catch: 0,
    catch_all: 0,
    delegate: 0,
    return: 0,
    drop: 0,
    'memory.grow': 5_000,
    'table.grow': 2_500,
    'memory.fill': 50,
    'memory.copy': 50,
    'memory.init': 50,
    'table.fill': 200,
    'table.copy': 200,
    'table.init': 200,
    'table.set': 300,
    'table.get': 20,
    'data.drop': 50,
    'elem.drop': 50,
    throw: 10_000,
    rethrow: 10_000,
  }),
  simd: 1,
  atomic: 1,
  memoryGrowPerPage: 1_500_000,
  tableGrowPerElement: 4_096,
  bulkMemoryBytesPerFuel: 2,
  bulkTableFuelPerElement: 200,
});

/** Text-format names of the single-byte opcodes outside the memory and numeric ranges. */
const PLAIN_NAMES: readonly (readonly [number, string])[] = [
  [0x00, 'unreachable'],
  [0x01, 'nop'],
  [0x02, 'block'],
  [0x03, 'loop'],
  [0x04, 'if'],
  [0x05, 'else'],
  [0x06, 'try'],
  [0x07, 'catch'],
  [0x08, 'throw'],
  [0x09, 'rethrow'],
  [0x0b, 'end'],
  [0x0c, 'br'],
  [0x0d, 'br_if'],
  [0x0e, 'br_table'],
  [0x0f, 'return'],
  [0x10, 'call'],
  [0x11, 'call_indirect'],
  [0x12, 'return_call'],
  [0x13, 'return_call_indirect'],
  [0x18, 'delegate'],
  [0x19, 'catch_all'],
  [0x1a, 'drop'],
  [0x1b, 'select'],
  [0x1c, 'select'],
  [0x20, 'local.get'],
  [0x21, 'local.set'],
  [0x22, 'local.tee'],
  [0x23, 'global.get'],
  [0x24, 'global.set'],
  [0x25, 'table.get'],
  [0x26, 'table.set'],
  [0x3f, 'memory.size'],
  [0x40, 'memory.grow'],
  [0x41, 'i32.const'],
  [0x42, 'i64.const'],
  [0x43, 'f32.const'],
  [0x44, 'f64.const'],
  [0xd0, 'ref.null'],
  [0xd1, 'ref.is_null'],
  [0xd2, 'ref.func'],
];

const MEMORY_NAMES = [
  'i32.load i64.load f32.load f64.load i32.load8_s i32.load8_u i32.load16_s i32.load16_u',
  'i64.load8_s i64.load8_u i64.load16_s i64.load16_u i64.load32_s i64.load32_u',
  'i32.store i64.store f32.store f64.store i32.store8 i32.store16 i64.store8 i64.store16 i64.store32',
].join(' ');

const NUMERIC_NAMES = [
  'i32.eqz i32.eq i32.ne i32.lt_s i32.lt_u i32.gt_s i32.gt_u i32.le_s i32.le_u i32.ge_s i32.ge_u',
  'i64.eqz i64.eq i64.ne i64.lt_s i64.lt_u i64.gt_s i64.gt_u i64.le_s i64.le_u i64.ge_s i64.ge_u',
  'f32.eq f32.ne f32.lt f32.gt f32.le f32.ge f64.eq f64.ne f64.lt f64.gt f64.le f64.ge',
  'i32.clz i32.ctz i32.popcnt i32.add i32.sub i32.mul i32.div_s i32.div_u i32.rem_s i32.rem_u',
  'i32.and i32.or i32.xor i32.shl i32.shr_s i32.shr_u i32.rotl i32.rotr',
  'i64.clz i64.ctz i64.popcnt i64.add i64.sub i64.mul i64.div_s i64.div_u i64.rem_s i64.rem_u',
  'i64.and i64.or i64.xor i64.shl i64.shr_s i64.shr_u i64.rotl i64.rotr',
  'f32.abs f32.neg f32.ceil f32.floor f32.trunc f32.nearest f32.sqrt f32.add f32.sub f32.mul f32.div',
  'f32.min f32.max f32.copysign',
  'f64.abs f64.neg f64.ceil f64.floor f64.trunc f64.nearest f64.sqrt f64.add f64.sub f64.mul f64.div',
  'f64.min f64.max f64.copysign',
  'i32.wrap_i64 i32.trunc_f32_s i32.trunc_f32_u i32.trunc_f64_s i32.trunc_f64_u i64.extend_i32_s',
  'i64.extend_i32_u i64.trunc_f32_s i64.trunc_f32_u i64.trunc_f64_s i64.trunc_f64_u',
  'f32.convert_i32_s f32.convert_i32_u f32.convert_i64_s f32.convert_i64_u f32.demote_f64',
  'f64.convert_i32_s f64.convert_i32_u f64.convert_i64_s f64.convert_i64_u f64.promote_f32',
  'i32.reinterpret_f32 i64.reinterpret_f64 f32.reinterpret_i32 f64.reinterpret_i64',
  'i32.extend8_s i32.extend16_s i64.extend8_s i64.extend16_s i64.extend32_s',
].join(' ');

/** Names of `0xfc`-prefixed instructions, by sub-opcode. */
export const FC_NAMES: readonly string[] = [
  'i32.trunc_sat_f32_s i32.trunc_sat_f32_u i32.trunc_sat_f64_s i32.trunc_sat_f64_u',
  'i64.trunc_sat_f32_s i64.trunc_sat_f32_u i64.trunc_sat_f64_s i64.trunc_sat_f64_u',
  'memory.init data.drop memory.copy memory.fill table.init elem.drop table.copy table.grow',
  'table.size table.fill',
]
  .join(' ')
  .split(' ');

/** Opcode keys by name: a number for single-byte opcodes, `0xfc00 | sub` for prefixed ones. */
const OPCODES_BY_NAME: ReadonlyMap<string, readonly number[]> = (() => {
  const map = new Map<string, number[]>();
  const add = (name: string, code: number) => {
    const list = map.get(name);
    if (list) list.push(code);
    else map.set(name, [code]);
  };
  for (const [code, name] of PLAIN_NAMES) add(name, code);
  const lists: [readonly string[], number][] = [
    [MEMORY_NAMES.split(' '), 0x28],
    [NUMERIC_NAMES.split(' '), 0x45],
    [FC_NAMES, 0xfc00],
  ];
  for (const [names, base] of lists) {
    for (const [i, name] of names.entries()) add(name, base + i);
  }
  return map;
})();

/** Every instruction name `CostModel.instructions` accepts. */
export const INSTRUCTION_NAMES: readonly string[] = [...OPCODES_BY_NAME.keys()];

/** The cost model compiled to lookup tables for the rewriter. */
export interface CostTables {
  readonly model: Readonly<CostModel>;
  /** Cost by single-byte opcode. */
  readonly plain: Uint32Array;
  /** Cost by `0xfc` sub-opcode. */
  readonly fc: Uint32Array;
  readonly simd: number;
  readonly atomic: number;
}

/** Merge `costs` over the defaults, check it and build the lookup tables. */
export function resolveCosts(costs: Partial<CostModel> = {}): CostTables {
  const model: CostModel = {
    ...DEFAULT_COSTS,
    ...costs,
    instructions: { ...DEFAULT_COSTS.instructions, ...(costs.instructions ?? {}) },
  };
  const scalar = [
    'default',
    'simd',
    'atomic',
    'memoryGrowPerPage',
    'tableGrowPerElement',
    'bulkMemoryBytesPerFuel',
    'bulkTableFuelPerElement',
  ] as const;
  for (const key of scalar) checkCost(key, model[key]);
  const plain = new Uint32Array(256).fill(model.default);
  const fc = new Uint32Array(32).fill(model.default);
  for (const [name, cost] of Object.entries(model.instructions)) {
    const codes = OPCODES_BY_NAME.get(name);
    if (!codes) {
      throw new KeelError('invalid-argument', `unknown instruction "${name}" in the fuel cost model`, {
        instruction: name,
      });
    }
    checkCost(`instructions.${name}`, cost);
    for (const code of codes) {
      if (code > 0xff) fc[code & 0xff] = cost;
      else plain[code] = cost;
    }
  }
  return { model, plain, fc, simd: model.simd, atomic: model.atomic };
}

function checkCost(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new KeelError('invalid-argument', `fuel cost "${name}" must be an integer from 0 to 2^32-1`, {
      cost: name,
    });
  }
}
