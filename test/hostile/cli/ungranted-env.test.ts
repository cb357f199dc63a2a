/** Attack: read host environment variables that were not granted. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KeelError, parseEnvFlags } from '../../../host/index.js';
import { answer, guestBytes, runGuest, type World, world } from '../../caps/harness.js';

let w: World;
beforeAll(async () => {
  w = await world();
  process.env.KEEL_HOSTILE_SECRET = 'host-secret-value';
});
afterAll(() => w.close());

it('sees only granted variables; a host variable is absent unless passed by name', async () => {
  const result = await runGuest(
    w.kernel,
    'fsprobe',
    ['getenv', 'KEEL_HOSTILE_SECRET', 'getenv', 'PATH', 'getenv', 'HOME', 'getenv', 'GRANTED'],
    {
      env: parseEnvFlags(['GRANTED=yes'], process.env).scope.env,
    },
  );
  expect(answer(result, 'getenv KEEL_HOSTILE_SECRET')).toBe('err ENOENT');
  expect(answer(result, 'getenv PATH')).toBe('err ENOENT');
  expect(answer(result, 'getenv HOME')).toBe('err ENOENT');
  expect(answer(result, 'getenv GRANTED')).toBe('ok yes');
  expect(JSON.stringify(w.events)).not.toContain('host-secret-value');
});

it('redacts a passed-through value from every event', async () => {
  const env = parseEnvFlags(['KEEL_HOSTILE_SECRET'], process.env).scope.env;
  const result = await runGuest(w.kernel, 'fsprobe', ['getenv', 'KEEL_HOSTILE_SECRET'], { env });
  expect(answer(result, 'getenv KEEL_HOSTILE_SECRET')).toBe('ok host-secret-value');
  expect(JSON.stringify(w.events)).not.toContain('host-secret-value');
});

it('fails the spawn with capability-denied when the environment is not granted at all', async () => {
  const module = await w.kernel.load(guestBytes('fsprobe'));
  const spawn = w.kernel.spawn(module, {
    grants: ['wasi:cli/stdout', 'wasi:cli/stderr', 'wasi:cli/stdin', 'wasi:cli/exit'],
  });
  await expect(spawn).rejects.toThrow(KeelError);
  await expect(spawn).rejects.toMatchObject({
    code: 'capability-denied',
    details: { interface: 'wasi:cli/environment' },
  });
});
