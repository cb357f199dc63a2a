/**
 * Attack (on the log's confidentiality, at spawn): a module whose imports make the kernel ask
 * the approval hook about grants that carry secrets. `approval:required` used to carry the
 * proposed grant, scope and all, before the grant's values were registered with the
 * redactor. Now every secret of every grant (env values, host paths, a scope marked
 * `secret: true`, and a scope the hook itself chooses) is registered before the first event of
 * the spawn, and approval events show a grant's interface and the names of its scope's fields,
 * never their values: none reaches any event or the JSONL log.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { type CapabilityProvider, type KeelEvent, Kernel } from '../../../host/index.js';
import { wat } from '../../helpers/wat.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-approval-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENV_SECRET = 'env-value-7f3a9c';
const HOST_DIR = join(dir, 'host-dir-b81e');
const TOKEN = 'token-value-52d0e1';
const CHOSEN = 'hook-chosen-9a4c77';
mkdirSync(HOST_DIR);

/** A provider for `env.read_token`, whose scope is a token. */
const tokens: CapabilityProvider = {
  name: 'tokens',
  interfaces: [],
  coreImports: ['env.read_token', 'env.read_other'],
  link: () => ({ read_token: () => 0, read_other: () => 0 }),
};

it('no granted value reaches an approval event, any other event or the log', async () => {
  const log = join(dir, 'run.jsonl');
  const requests: unknown[] = [];
  const kernel = new Kernel({
    cacheDir: false,
    log,
    providers: [tokens],
    approval: (request) => {
      requests.push(request);
      // The hook grants the proposal, and for env.read_other a scope of its own.
      if (request.interface === 'env.read_other')
        return { decision: 'grant', scope: { token: CHOSEN }, secret: true };
      return { decision: 'grant' };
    },
  });
  const events: KeelEvent[] = [];
  kernel.on('*', (event) => void events.push(event));
  const module = await kernel.load(
    await wat(`(module
      (import "wasi_snapshot_preview1" "environ_get" (func (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "environ_sizes_get" (func (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "path_open" (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (import "env" "read_token" (func (result i32)))
      (import "env" "read_other" (func (result i32)))
      (memory (export "memory") 1)
      (func (export "_start")))`),
    { name: 'asks' },
  );
  await kernel.spawn(module, {
    grants: [
      { interface: 'wasi:cli/environment', scope: { env: { TOKEN: ENV_SECRET } } },
      { interface: 'wasi:filesystem/*', scope: { preopens: [{ guest: '/data', host: HOST_DIR }] } },
      { interface: 'env.read_token', scope: { token: TOKEN }, secret: true },
    ],
  });
  await kernel.close();

  // The hook itself saw the grants as proposed (it is the embedder's code).
  expect(JSON.stringify(requests)).toContain(ENV_SECRET);
  const required = events.filter((e) => e.event === 'approval:required');
  expect(required.length).toBeGreaterThanOrEqual(3);
  expect(required.find((e) => e.data!.interface === 'env.read_token')!.data!.proposed).toEqual({
    interface: 'env.read_token',
    scope: ['token'],
    secret: true,
  });
  expect(required.find((e) => e.data!.interface === 'wasi:cli/environment')!.data!.proposed).toEqual({
    interface: 'wasi:cli/environment',
    scope: ['env'],
  });
  const everything = JSON.stringify(events) + readFileSync(log, 'utf8');
  for (const secret of [ENV_SECRET, HOST_DIR, TOKEN, CHOSEN]) expect(everything).not.toContain(secret);
});

it('a secret in an event is replaced by [redacted] wherever it appears', async () => {
  const kernel = new Kernel({ cacheDir: false, providers: [tokens] });
  const seen: KeelEvent[] = [];
  kernel.on('*', (event) => void seen.push(event));
  const module = await kernel.load(
    await wat(`(module (import "env" "read_token" (func (result i32))) (func (export "run")))`),
  );
  await kernel.spawn(module, {
    grants: [{ interface: 'env.read_token', scope: { token: TOKEN }, secret: true }],
  });
  kernel.events.emit({ event: 'guest:log', data: { message: `the token is ${TOKEN}` } });
  expect(seen.at(-1)!.data!.message).toBe('the token is [redacted]');
  await kernel.close();
});
