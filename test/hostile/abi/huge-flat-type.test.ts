/**
 * Attack: value types with very many flat values. A tuple of 262,144 booleans (six levels of
 * `tuple` eight wide) is a legal type, under the 1,000,000 size limit; its flattening has
 * 262,144 core values. Layout joined the fields' flat lists with `push(...fields)`, which
 * overflowed the stack past about 120,000 values: the component loaded and then failed with
 * `stack-overflow` when its functions were laid out. And each type's layout kept its whole flat
 * list, so a component with a thousand such types (each a record around the big tuple, each
 * the result of one function) made the host hold a thousand lists of a quarter million entries
 * (gigabytes). And asking whether a function needs memory walked its type's whole tree (its
 * shared parts once per use), a thousand times 262,144 steps at load.
 *
 * Only a flattening of at most 16 values is ever used (more is passed in memory), so a layout
 * keeps its flat count, and its list only up to that (as Wasmtime does): the component spawns,
 * its calls work, and the host's memory stays small whatever the types' sizes. Walks of types
 * are answered once per type object (per pair, for equality): load time is linear in the
 * component's size.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { tempCacheDir } from '../../helpers/components.js';
import { componentText } from './support.js';

const TYPES = 1_000;
const eight = (t: string) => `(tuple ${Array(8).fill(t).join(' ')})`;

const COMPONENT = `(component
  (core module $m
    (memory (export "memory") 5)
    (func (export "p") (result i32) (i32.const 0))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (alias core export $i "memory" (core memory $mem))
  (alias core export $i "realloc" (core func $realloc))
  (type $b0 ${eight('bool')})
  ${Array.from({ length: 5 }, (_, k) => `(type $b${k + 1} ${eight(`$b${k}`)})`).join('\n  ')}
  ${Array.from({ length: TYPES }, (_, i) => `(type $rd${i} (record (field "big" $b5) (field "tag${i}" u8)))\n  (export $r${i} "r${i}" (type $rd${i}))`).join('\n  ')}
  (func (export "g") (result $b5) (canon lift (core func $i "p") (memory $mem) (realloc $realloc)))
  ${Array.from({ length: TYPES }, (_, i) => `(func (export "f${i}") (result $r${i}) (canon lift (core func $i "p") (memory $mem) (realloc $realloc)))`).join('\n  ')})`;

it('huge flat type: a type of 262,144 flat values spawns and runs, and a thousand of them stay small', async () => {
  const kernel = new Kernel({ cacheDir: tempCacheDir(), limits: { deadlineMs: 10_000 } });
  try {
    const bytes = await componentText(COMPONENT);
    const cpu = process.cpuUsage();
    const module = await kernel.load(bytes);
    const loadCpu = process.cpuUsage(cpu);
    // Before: every function walked its type's whole tree to ask whether it needs memory (262,144
    // steps each): 3.3 s of CPU for this load, hours for what the size limits admit.
    expect((loadCpu.user + loadCpu.system) / 1000).toBeLessThan(1_500);
    const before = process.memoryUsage().heapUsed;
    const started = performance.now();
    const sandbox = await kernel.spawn(module);
    const g = (await sandbox.invoke('g')).value as unknown[][][][][][];
    expect(g.length).toBe(8);
    expect(g[7]![7]![7]![7]![7]![7]).toBe(false);
    const last = (await sandbox.invoke(`f${TYPES - 1}`)).value as Record<string, unknown>;
    expect(last[`tag${TYPES - 1}`]).toBe(0);
    expect(performance.now() - started).toBeLessThan(20_000);
    // Before: a thousand layouts of 262,145 flat values each (over 2 GB of lists).
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(256 * 1024 * 1024);
  } finally {
    await kernel.close();
  }
}, 120_000);
