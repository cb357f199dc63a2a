/**
 * Attack: a core module catches what its imports threw into it. A core module (preview1) built with
 * legacy exception handling (`try`/`catch_all`) makes the host throw into it (a bad iovec
 * pointer to `fd_write`: a trap; `env.read_secret`, which nothing serves, denied at the call:
 * `capability-denied`; `proc_exit`: the exit), catches it, writes "after" to stdout and returns 0.
 * Before the fix the call returned 0, the write after the caught error ran, and the sandbox
 * stayed `ready` (an exit caught went on as if the guest had never exited). Must: the call ends
 * with the first error (the trap, the refusal, or the exit with its status) through `fn` and
 * `invokeSync`, the write after it is refused, and the sandbox ends.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { WAT_ALL_FEATURES, wat } from '../../../scripts/lib/wat.js';

const STDOUT = ['wasi:cli/stdout'];
/** "after\n" at 200, its iovec at 100: one write of it. */
const WRITE_AFTER = '(drop (call $fd_write (i32.const 1) (i32.const 100) (i32.const 1) (i32.const 120)))';

const ATTACKS = {
  'bad pointer': {
    attack: '(drop (call $fd_write (i32.const 1) (i32.const 65532) (i32.const 1) (i32.const 120)))',
    ends: { code: 'trap' },
  },
  'capability refusal': {
    attack: '(drop (call $read_secret))',
    ends: { code: 'capability-denied' },
  },
  exit: { attack: '(call $proc_exit (i32.const 3))', ends: { exit: 3 } },
};

let kernel: Kernel;
beforeAll(() => {
  kernel = new Kernel({ cacheDir: false });
});
afterAll(() => kernel.close());

async function spawn(attack: string) {
  const source = `(module
    (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
    (import "env" "read_secret" (func $read_secret (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 100) "\\c8\\00\\00\\00\\06\\00\\00\\00")
    (data (i32.const 200) "after\\n")
    (func (export "run") (result i32) (try (do ${attack}) (catch_all)) ${WRITE_AFTER} (i32.const 0)))`;
  const module = await kernel.load(await wat(source, 'caught.wat', WAT_ALL_FEATURES));
  let out = '';
  const sandbox = await kernel.spawn(module, {
    grants: [...STDOUT, 'wasi:cli/exit'],
    denial: 'call',
    io: {
      stdout: (chunk) => {
        out += new TextDecoder().decode(chunk);
      },
    },
  });
  return { sandbox, stdout: () => out };
}

it('core import error caught: without an attack, the write runs and the call returns', async () => {
  const { sandbox, stdout } = await spawn('(nop)');
  expect(sandbox.invokeSync('run').value).toBe(0);
  expect(stdout()).toBe('after\n');
});

for (const [name, { attack, ends }] of Object.entries(ATTACKS)) {
  it(`core import error caught (${name}): the call ends with it, the write after it refused`, async () => {
    for (const path of ['fn', 'invokeSync'] as const) {
      const { sandbox, stdout } = await spawn(attack);
      let outcome: unknown;
      try {
        outcome = path === 'fn' ? { value: sandbox.fn<() => number>('run')() } : sandbox.invokeSync('run');
      } catch (error) {
        outcome = { code: (error as { code?: string }).code };
      }
      if ('exit' in ends) {
        expect({ path, state: sandbox.state, exit: sandbox.exitCode }).toEqual({
          path,
          state: 'exited',
          exit: ends.exit,
        });
        if (path === 'invokeSync') expect(outcome).toMatchObject({ exit: ends.exit });
      } else {
        expect({ path, outcome }).toEqual({ path, outcome: ends });
        expect(sandbox.state).toBe('poisoned');
      }
      expect(stdout()).toBe('');
    }
  });
}
