/**
 * Attack: smuggle a traversal through encodings: NUL, invalid or overlong UTF-8, backslashes,
 * URL-encoded dots, look-alike dots. Nothing is ever decoded: names with NUL or `\` are refused
 * (`illegal-byte-sequence`); bytes that are not UTF-8 are refused too through preview1, and
 * through WASI 0.2 never reach the provider (a string that is not UTF-8 is a canonical ABI trap,
 * as in Wasmtime); the rest are plain names inside the grant.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ABIS,
  expectUnharmed,
  fsDenials,
  fsGrant,
  hex,
  runGuest,
  snapshot,
  type World,
  world,
} from '../../caps/harness.js';

describe.each(ABIS)('through %s', (abi) => {
  let w: World;
  let canary: Record<string, string>;
  beforeAll(async () => {
    w = await world({ abi });
    canary = snapshot(w.canary);
  });
  afterAll(() => w.close());

  /** Paths that are not UTF-8: `illegal-byte-sequence` through preview1, a trap through WASI 0.2. */
  const notUtf8: [string, Uint8Array, string][] = [
    ['invalid UTF-8', Uint8Array.of(0xff, 0x2f, 0x2e, 0x2e), 'EILSEQ'],
    ['overlong "/"', Uint8Array.of(0x2e, 0x2e, 0xc0, 0xaf, 0x63, 0x61, 0x6e, 0x61, 0x72, 0x79), 'EILSEQ'],
  ];

  it('never decodes a path into a traversal', async () => {
    const paths: [string, Uint8Array | string, string][] = [
      ['NUL truncation', 'input.txt\0/../../canary/secret', 'EILSEQ'],
      ['NUL alone', '\0', 'EILSEQ'],
      ...(abi === 'preview1' ? notUtf8 : []),
      ['backslashes', '..\\canary\\secret', 'EILSEQ'],
      ['URL-encoded dots', '%2e%2e/canary/secret', 'ENOENT'],
      ['double URL-encoding', '%252e%252e/canary/secret', 'ENOENT'],
      ['full-width dots', '\uff0e\uff0e/canary/secret', 'ENOENT'],
      ['one-dot leader', '\u2024\u2024/canary/secret', 'ENOENT'],
    ];
    const result = await runGuest(
      w.kernel,
      'fsprobe',
      [
        ...paths.flatMap(([, p]) => ['rawopen', '3', hex(p)]),
        // Creating such names: refused, or a literal name inside the grant.
        'rawcreate',
        '3',
        hex('%2e%2e'),
        'rawcreate',
        '3',
        hex('a\\b'),
        'rawcreate',
        '3',
        hex('x\0y'),
      ],
      { grants: [fsGrant({ preopens: [{ guest: '/data', host: w.grant, dirPerms: 'read-write' }] })] },
    );
    const answers = result.lines.map((l) => l.replace(/^raw\w+ \(path\): /, ''));
    paths.forEach(([what, , errno], i) => {
      expect(`${what}: ${answers[i]}`).toBe(`${what}: err ${errno}`);
    });
    expect(answers.slice(paths.length)).toEqual(['ok', 'err EILSEQ', 'err EILSEQ']);
    expect(existsSync(join(w.grant, '%2e%2e'))).toBe(true);
    expect(readdirSync(w.grant).sort()).toEqual(['%2e%2e', 'input.txt']);
    expect(fsDenials(w.events).filter((d) => d.reason === 'encoding')).toHaveLength(
      abi === 'preview1' ? 7 : 5,
    );
    await expectUnharmed(w, canary);
  });

  it.runIf(abi === 'wasi-0.2')(
    'a path that is not UTF-8 ends the guest with a trap before any provider sees it',
    async () => {
      const denialsBefore = fsDenials(w.events).length;
      for (const [what, path] of notUtf8) {
        await expect(
          runGuest(w.kernel, 'fsprobe', ['rawopen', '3', hex(path)], {
            grants: [fsGrant({ preopens: [{ guest: '/data', host: w.grant, dirPerms: 'read-write' }] })],
          }),
          what,
        ).rejects.toMatchObject({ code: 'trap', message: expect.stringContaining('not valid UTF-8') });
      }
      expect(fsDenials(w.events)).toHaveLength(denialsBefore);
      await expectUnharmed(w, canary);
    },
  );
});
