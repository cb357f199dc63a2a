/** The CLI's hint for an import whose types are not its provider's: no grant helps, a rebuild does. */
import { expect, it } from 'vitest';
import { cliHint } from '../../host/cli/grants.js';
import { KeelError } from '../../host/kernel/errors.js';

it('a type-mismatch denial is not advised a --grant', () => {
  const error = new KeelError('capability-denied', 'm imports wasi:random/random@0.2.3 with types …', {
    import: 'wasi:random/random@0.2.3',
    interface: 'wasi:random/random',
    reason: 'type-mismatch',
  });
  for (const command of ['run', 'up'] as const) {
    const hint = cliHint(error, command);
    expect(hint).toContain('build the module against the WIT its host serves for wasi:random/random');
    expect(hint).not.toContain('--grant');
  }
});
