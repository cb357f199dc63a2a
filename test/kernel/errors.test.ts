import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ERROR_CATALOG, ERROR_CODES, type ErrorCode, isErrorCode, KeelError } from '../../host/index.js';

const DESIGN_CODES = [
  'invalid-module',
  'invalid-argument',
  'capability-denied',
  'fuel-exhausted',
  'memory-limit',
  'table-limit',
  'stack-overflow',
  'trap',
  'timeout',
  'killed',
  'mailbox-full',
  'message-too-large',
  'no-such-target',
  'policy-violation',
  'internal',
] as const;

function documentedCodes(): string[] {
  const text = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  return [...text.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]!);
}

describe('error catalog', () => {
  it('lists exactly the codes documented in docs/errors.md, in the same order', () => {
    expect(documentedCodes()).toEqual([...ERROR_CODES]);
  });

  it('has a meaning and a fix for every code', () => {
    for (const code of ERROR_CODES) {
      expect(ERROR_CATALOG[code].meaning.length, code).toBeGreaterThan(10);
      expect(ERROR_CATALOG[code].fix.length, code).toBeGreaterThan(10);
    }
  });

  it('contains every code of the design brief', () => {
    for (const code of DESIGN_CODES) expect(ERROR_CODES).toContain(code);
  });

  it('exports a type that is exactly the union of catalog codes', () => {
    expectTypeOf<ErrorCode>().toEqualTypeOf<keyof typeof ERROR_CATALOG>();
    expectTypeOf<(typeof DESIGN_CODES)[number]>().toExtend<ErrorCode>();
    for (const code of ERROR_CODES) expect(isErrorCode(code)).toBe(true);
    expect(isErrorCode('not-a-code')).toBe(false);
  });

  it('serializes KeelError as code, message and details', () => {
    const error = new KeelError('trap', 'wasm trap: unreachable', { export: 'run' });
    expect(error).toBeInstanceOf(Error);
    expect(error.toJSON()).toEqual({
      code: 'trap',
      message: 'wasm trap: unreachable',
      details: { export: 'run' },
    });
    expect(new KeelError('internal', 'x').toJSON()).toEqual({ code: 'internal', message: 'x' });
  });
});
