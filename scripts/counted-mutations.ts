/**
 * Mutation check of the counted-loop proof: each mutation below breaks the counted-loop
 * analysis or the charge it emits in one way a bypass could come from; the proof
 * (`test/meter/counted-loops.test.ts` and the hostile guests) must fail on every one.
 *
 *   npm run build && node dist/scripts/counted-mutations.js [--filter REGEX]
 *
 * Each mutation is applied to the source, the tests run (vitest compiles the source itself),
 * and the source is restored, also on Ctrl-C or failure. Prints one line per mutation and
 * exits 1 if any survives.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Mutation {
  name: string;
  file: string;
  from: string;
  to: string;
}

const COUNTED = 'host/meter/counted.ts';
const FUEL = 'host/meter/fuel.ts';
const PRECHARGE = 'host/meter/precharge.ts';
const STRIDED = 'host/meter/strided.ts';
const STRAIGHT = 'host/meter/straight.ts';

const MUTATIONS: Mutation[] = [
  {
    name: "a do loop's last turn not charged",
    file: COUNTED,
    from: 'return build(pos, head, head.writes, at, -1, perTurn, perTurn);',
    to: 'return build(pos, head, head.writes, at, -1, perTurn, 0);',
  },
  {
    name: 'a second back edge not seen',
    file: FUEL,
    from: 'if (this.#counted[target] === 1) throw NOT_COUNTED;\n    // A then',
    to: '// A then',
  },
  {
    name: '`<` with any step',
    file: COUNTED,
    from: 'return step === 1 ? { test, boundConst } : undefined;',
    to: 'return step >= 1 ? { test, boundConst } : undefined;',
  },
  {
    name: "the bound's write ignored",
    file: COUNTED,
    from: 'if (writes.some((w) => w.local === boundLocal)) return undefined;',
    to: '',
  },
  {
    name: 'two writes of the variable allowed',
    file: COUNTED,
    from: 'if (mine.length !== 1) return undefined;',
    to: 'if (mine.length < 1) return undefined;',
  },
  {
    name: '`<= 0x7fffffff` counted',
    file: COUNTED,
    from: 'if (boundConst === max) return undefined;',
    to: '',
  },
  { name: '`>= -2^31` counted', file: COUNTED, from: 'if (boundConst === min) return undefined;', to: '' },
  {
    name: 'the test read as after the write',
    file: COUNTED,
    from: 'const afterWrite = write.segment === 0;',
    to: 'const afterWrite = true;',
  },
  {
    name: 'a never-ending count not charged as such',
    file: PRECHARGE,
    from: "const unending = loop.test === 'ne' && shift > 0;",
    to: 'const unending = false;',
  },
  {
    name: 'a test that fails at once counted as one turn',
    file: PRECHARGE,
    from: 'code.byte(OP_I32_CONST);\n    code.byte(0);\n    first();',
    to: 'code.byte(OP_I32_CONST);\n    code.byte(1);\n    first();',
  },
  {
    name: 'a constant start: one turn too few',
    file: COUNTED,
    from: 'return first < bound ? s(bound) - s(first) : 0n;',
    to: 'return first < bound ? s(bound) - s(first) - 1n : 0n;',
  },
  {
    name: 'a constant start: a never-ending count charged as finite',
    file: COUNTED,
    from: 'return d % m === 0n ? d / m : undefined;',
    to: 'return d / m;',
  },
  {
    name: 'a constant start kept across a branch or join',
    file: FUEL,
    from: 'if (local !== this.#knownLocal || this.#knownFlushes !== this.flushes) return undefined;',
    to: 'if (local !== this.#knownLocal) return undefined;',
  },
  {
    name: 'a constant start kept after another write',
    file: FUEL,
    from: '} else if (index === this.#knownLocal) {',
    to: '} else if (index === -5) {',
  },
  {
    name: 'strided: the guard against wrap-around ignored',
    file: STRIDED,
    from: 'code.byte(OP_I32_EQZ);\n  code.byte(OP_BR_IF);\n  code.byte(0);',
    to: 'code.byte(OP_I32_EQZ);\n  code.byte(0x1a);\n  code.byte(0x41);\n  code.byte(0);\n  code.byte(OP_BR_IF);\n  code.byte(0);',
  },
  {
    name: 'strided: one turn too few',
    file: STRIDED,
    from: 'constant(1);\n  code.byte(OP_I64_ADD);\n  code.byte(OP_ELSE);',
    to: 'constant(0);\n  code.byte(OP_I64_ADD);\n  code.byte(OP_ELSE);',
  },
  {
    name: 'strided: a test that fails at once counted as one turn',
    file: STRIDED,
    from: 'code.byte(OP_ELSE);\n  constant(0);',
    to: 'code.byte(OP_ELSE);\n  constant(1);',
  },
  {
    name: "strided: the step's write ignored",
    file: STRIDED,
    from: 'w.local === matched.bound || w.local === write.stride',
    to: 'w.local === matched.bound',
  },
  {
    name: "strided: the bound's write ignored",
    file: STRIDED,
    from: 'w.local === matched.bound || w.local === write.stride',
    to: 'w.local === write.stride',
  },
  {
    name: 'strided: two writes of the variable allowed',
    file: STRIDED,
    from: 'if (mine.length !== 1) return undefined;',
    to: 'if (mine.length < 1) return undefined;',
  },
  {
    name: 'strided: the test read as after the write',
    file: STRIDED,
    from: 'afterWrite: write.segment === 0,',
    to: 'afterWrite: true,',
  },
  {
    name: 'strided: a count past 2^53 fuel charged as finite',
    file: STRIDED,
    from: 'constant(Math.ceil(2 ** 53 / loop.perTurn));',
    to: 'constant(-1);',
  },
  {
    // The per-turn copy is a straight loop (straight.ts), as the loops of its shapes not counted are.
    name: 'strided: the per-turn copy not charged (nor any straight loop of the while shape)',
    file: STRAIGHT,
    from: 'charge(loop.perTurn);\n    owed = loop.last + loop.exit;',
    to: 'owed = loop.last + loop.exit;',
  },
];

const TESTS = [
  'test/meter/counted-loops.test.ts',
  'test/meter/strided-loops.test.ts',
  'test/meter/straight-loops.test.ts',
  'test/meter/fuel-costs.test.ts',
  'test/hostile/meter/',
];

function main(): void {
  const root = process.cwd();
  let survivors = 0;
  let restore = (): void => {};
  process.once('SIGINT', () => {
    restore();
    process.exit(130);
  });
  const at = process.argv.indexOf('--filter');
  const filter = new RegExp(at >= 0 ? process.argv[at + 1]! : '.');
  const chosen = MUTATIONS.filter((m) => filter.test(m.name));
  for (const m of chosen) {
    const path = join(root, m.file);
    const original = readFileSync(path, 'utf8');
    if (!original.includes(m.from))
      throw new Error(`mutation "${m.name}": its code is no longer in ${m.file}`);
    restore = (): void => writeFileSync(path, original);
    writeFileSync(path, original.replace(m.from, m.to));
    let output = '';
    let failed = false;
    try {
      output = execFileSync('npx', ['vitest', 'run', ...TESTS], {
        encoding: 'utf8',
        stdio: 'pipe',
        timeout: 300_000,
      });
    } catch (error) {
      failed = true;
      const e = error as { stdout?: string };
      output = e.stdout ?? '';
    } finally {
      restore();
    }
    const mismatches = /(\d+) mismatches/.exec(output)?.[1];
    if (!failed) survivors++;
    console.log(
      `${failed ? 'killed ' : 'SURVIVED'}  ${m.name}${mismatches && failed ? ` (${mismatches} mismatches)` : ''}`,
    );
  }
  console.log(`${chosen.length - survivors} of ${chosen.length} mutations fail the proof`);
  if (survivors > 0) process.exitCode = 1;
}

main();
