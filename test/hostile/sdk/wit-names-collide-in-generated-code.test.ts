/**
 * Attack: WIT names chosen to collide once a generator converts them (kebab to snake case,
 * upper to lower case, an interface-function pair that spells another pair), so that one
 * generated C function or type silently takes the place of another and a call meant for one
 * import reaches a different one. The generator must refuse, naming both. Names that are not
 * WIT identifiers (quotes, comment openers, NUL) never reach a generator: the parser refuses them.
 */
import { describe, expect, it } from 'vitest';
import { generateC } from '../../../scripts/sdk/c/bindgen.js';
import { loadWorld, readWitPackages } from '../../../scripts/sdk/wit/load.js';
import { parseWit } from '../../../scripts/sdk/wit/syntax.js';

const KEEL = readWitPackages(new URL('../../../wit', import.meta.url).pathname);

async function generate(wit: string) {
  const started = performance.now();
  const { world } = await loadWorld(wit, KEEL);
  try {
    return generateC(world);
  } finally {
    expect(performance.now() - started).toBeLessThan(10_000);
  }
}

describe('colliding names', () => {
  it('an interface-function pair that spells another pair is refused', async () => {
    await expect(
      generate(`package t:x@0.1.0;
        interface a-b { c: func(); }
        interface a { b-c: func(); }
        world w { import a-b; import a; }`),
    ).rejects.toThrow(/both become `t_x_a_b_c`/);
  });

  // WIT names are case-insensitive: wasm-tools refuses these before any generator runs.
  it('cases that differ only in letter case are refused', async () => {
    await expect(
      generate(`package t:x@0.1.0;
        interface i { enum e { ok, OK } f: func(v: e); }
        world w { import i; }`),
    ).rejects.toThrow(/invalid WIT/);
  });

  it('record fields that collide after conversion are refused', async () => {
    await expect(
      generate(`package t:x@0.1.0;
        interface i { record r { a-b: u8, A-B: u8 } f: func(v: r); }
        world w { import i; }`),
    ).rejects.toThrow(/invalid WIT/);
  });

  it('names that are not WIT identifiers never reach a generator', () => {
    for (const name of ['"q"', 'a*/b', 'a\u2028b', 'a\0b', 'x_y', '`b`', '$' + '{x}']) {
      expect(() => parseWit(`package t:x; interface i { ${name}: func(); }`)).toThrow();
    }
  });

  it('names that are C keywords become other identifiers', async () => {
    const { header } = await generate(`package t:x@0.1.0;
      interface i { record %record { %int: u8, %for: u8, %char: char } %static: func(%while: %record) -> u8; }
      world w { import i; }`);
    expect(header).toContain('uint8_t int_;');
    expect(header).toContain('uint8_t for_;');
    expect(header).toContain('uint8_t t_x_i_static(const t_x_i_record_t *while_);');
  });
});
