/**
 * Attack: hand `fd_write` one 32 MiB buffer (inside the guest's memory), to make the host copy
 * all of it in one call and hand it on at once. What one preview1 call copies into the host is
 * bounded by `limits.hostArgBytes` (1 MiB) as for every host call: the write is a short one
 * (POSIX allows it; guests loop), charged for what it copied, and a guest that loops gets all
 * its bytes out, in pieces of at most 1 MiB.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { iovec, p1Source } from '../../helpers/preview1.js';
import { wat } from '../../helpers/wat.js';

const SIZE = 32 << 20;
const BUF = 65536;
const PAGES = (BUF + SIZE) / 65536;

/** `run` writes the buffer once; `all` loops until every byte is out and returns the calls made. */
const SOURCE = p1Source({
  imports: ['fd_write'],
  pages: PAGES,
  data: [[0, iovec(BUF, SIZE)]],
  body: '(call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))',
  extra: `(func (export "all") (result i32)
    (local $done i32) (local $calls i32)
    (block $out
      (loop $next
        (br_if $out (i32.ge_u (local.get $done) (i32.const ${SIZE})))
        (i32.store (i32.const 16) (i32.add (i32.const ${BUF}) (local.get $done)))
        (i32.store (i32.const 20) (i32.sub (i32.const ${SIZE}) (local.get $done)))
        (if (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 8)) (then unreachable))
        (local.set $done (i32.add (local.get $done) (i32.load (i32.const 8))))
        (local.set $calls (i32.add (local.get $calls) (i32.const 1)))
        (br $next)))
    (local.get $calls))`,
});

let kernel: Kernel;
let bytes: Uint8Array;
beforeAll(async () => {
  kernel = new Kernel({ cacheDir: false });
  bytes = await wat(SOURCE);
});
afterAll(() => kernel.close());

async function spawn() {
  const chunks: number[] = [];
  const module = await kernel.load(bytes, { name: 'giant-write' });
  const sandbox = await kernel.spawn(module, {
    grants: ['wasi:cli/stdout'],
    limits: { outputBytes: 64 << 20 },
    io: { stdout: (chunk) => void chunks.push(chunk.length) },
  });
  const fn = <T>(name: string) => sandbox.fn<() => T>(name);
  const peek = sandbox.fn<(ptr: number) => number>('peek32');
  return { sandbox, chunks, fn, peek };
}

it('writes at most limits.hostArgBytes of it in one call (a short write)', async () => {
  const { sandbox, chunks, fn, peek } = await spawn();
  const before = process.memoryUsage();
  expect(fn<number>('run')()).toBe(0);
  const after = process.memoryUsage();
  expect(peek(8) >>> 0).toBe(1 << 20);
  expect(chunks).toEqual([1 << 20]);
  expect(after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers).toBeLessThan(
    8 * 1024 * 1024,
  );
  expect(sandbox.state).toBe('ready');
});

it('gets every byte out to a guest that loops, a piece of at most 1 MiB per call', async () => {
  const { chunks, fn } = await spawn();
  expect(fn<number>('all')()).toBe(32);
  expect(chunks.reduce((a, b) => a + b, 0)).toBe(SIZE);
  expect(Math.max(...chunks)).toBe(1 << 20);
});
