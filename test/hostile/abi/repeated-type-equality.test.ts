/**
 * Attack: a component that makes the loader compare two large, equal, separately defined types
 * again and again. Its one function returns a tuple of 262,144 booleans (`$b5`, six levels of
 * `tuple` eight wide) and is exported a thousand times, each export ascribed a type written out
 * a second time (`$c5`). Type equality walked both trees (shared parts once per use) at every
 * check: 262,144 steps per export, 4.5 s of CPU for this component (and hours for what the
 * size limits admit). Equality is now answered once per pair of type objects.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { tempCacheDir } from '../../helpers/components.js';
import { componentText } from './support.js';

const EXPORTS = 1_000;
const eight = (t: string) => `(tuple ${Array(8).fill(t).join(' ')})`;
const chain = (p: string) =>
  [
    `(type $${p}0 ${eight('bool')})`,
    ...Array.from({ length: 5 }, (_, k) => `(type $${p}${k + 1} ${eight(`$${p}${k}`)})`),
  ].join('\n  ');

const COMPONENT = `(component
  (core module $m
    (memory (export "memory") 5)
    (func (export "p") (result i32) (i32.const 0))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (alias core export $i "memory" (core memory $mem))
  (alias core export $i "realloc" (core func $realloc))
  ${chain('b')}
  ${chain('c')}
  (func $g (result $b5) (canon lift (core func $i "p") (memory $mem) (realloc $realloc)))
  ${Array.from({ length: EXPORTS }, (_, i) => `(export "h${i}" (func $g) (func (result $c5)))`).join('\n  ')})`;

it('repeated type equality: a thousand checks of one pair of large equal types load in linear time', async () => {
  const kernel = new Kernel({ cacheDir: tempCacheDir() });
  try {
    const bytes = await componentText(COMPONENT);
    const before = process.memoryUsage().heapUsed;
    const cpu = process.cpuUsage();
    const module = await kernel.load(bytes);
    const spent = process.cpuUsage(cpu);
    expect((spent.user + spent.system) / 1000).toBeLessThan(1_500);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(128 * 1024 * 1024);
    const sandbox = await kernel.spawn(module);
    const value = (await sandbox.invoke(`h${EXPORTS - 1}`)).value as unknown[];
    expect(value.length).toBe(8);
  } finally {
    await kernel.close();
  }
}, 120_000);
