/**
 * Attack: a command exports `wasi:cli/run` (the export `keel run` calls without `--invoke`) with
 * a type of its own choosing: `run: func() -> u32` or `run: func(n: u32) -> result` where WASI's
 * is `run: func() -> result`. The load is refused, `invalid-module` naming the export and both
 * types, as for `keel:kernel/handler` (docs/abi.md, "Export types"); `run` of WASI's type loads
 * and runs.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { expectContained, hostileComponent, launch } from './support.js';

/** A component exporting wasi:cli/run@0.2.0 declared as `run` (WIT), with `core` functions. */
function command(witRun: string, core: string): Promise<Uint8Array> {
  return hostileComponent(
    core,
    `world w { export wasi:cli/run@0.2.0; }
     package wasi:cli@0.2.0 { interface run { ${witRun} } }`,
  );
}

describe('run-export-type-confusion', () => {
  it('run exported as func() -> u32: invalid-module at load, naming the export and both types', async () => {
    const aftermath = await launch({
      component: () =>
        command('run: func() -> u32;', '(func (export "wasi:cli/run@0.2.0#run") (result i32) (i32.const 7))'),
    });
    expectContained(aftermath, 'invalid-module');
    const message = aftermath.error!.message;
    expect(message).toContain('wasi:cli/run@0.2.0#run is exported as func() -> u32');
    expect(message).toContain("Keel's WIT has func() -> result");
    expect(aftermath.error!.details).toEqual({
      export: 'wasi:cli/run@0.2.0',
      interface: 'wasi:cli/run',
      reason: 'type-mismatch',
    });
  });

  it('run exported with a parameter: invalid-module at load', async () => {
    const aftermath = await launch({
      component: () =>
        command(
          'run: func(n: u32) -> result;',
          '(func (export "wasi:cli/run@0.2.0#run") (param i32) (result i32) (i32.const 0))',
        ),
    });
    expectContained(aftermath, 'invalid-module');
    expect(aftermath.error!.message).toContain('func(n: u32) -> result');
  });

  it('an interface named wasi:cli/runner is not a command (names match whole, not by prefix)', async () => {
    const kernel = new Kernel({ cacheDir: false });
    try {
      const bytes = await hostileComponent(
        '(func (export "wasi:cli/runner@0.2.0#run") (result i32) (i32.const 7))',
        `world w { export wasi:cli/runner@0.2.0; }
         package wasi:cli@0.2.0 { interface runner { run: func() -> u32; } }`,
      );
      const module = await kernel.load(bytes, { name: 'runner' });
      expect(module.isCommand).toBe(false);
      expect(module.commandExport).toBeUndefined();
    } finally {
      await kernel.close();
    }
  });

  it("run of WASI's type loads and runs", async () => {
    const kernel = new Kernel({ cacheDir: false });
    try {
      const module = await kernel.load(
        await command(
          'run: func() -> result;',
          '(func (export "wasi:cli/run@0.2.0#run") (result i32) (i32.const 0))',
        ),
        { name: 'command' },
      );
      expect(module.commandExport).toBe('wasi:cli/run@0.2.0#run');
      const sandbox = await kernel.spawn(module);
      // `result` with no payloads: ok is undefined (an err would throw).
      expect(sandbox.fn('wasi:cli/run@0.2.0#run')()).toBeUndefined();
    } finally {
      await kernel.close();
    }
  });
});
