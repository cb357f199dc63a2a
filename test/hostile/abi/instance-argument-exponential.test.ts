/**
 * Attack: a component of about a kilobyte instantiates a nested component with an instance that
 * exports one shared instance eight times at each of 15 levels. Checking the argument against
 * the import export by export (23b1e84) visited every path, 8^15 checks, the kernel's thread
 * blocked for good. A plan now makes at most 100,000 such checks and refuses the component
 * past them (`invalid-module`); the same shape at a size components use still loads.
 */
import { expect, it } from 'vitest';
import { Kernel } from '../../../host/index.js';
import { componentText } from './support.js';

function text(levels: number, width: number): string {
  let types = '(type $I0 (instance))\n(instance $v0)\n';
  for (let i = 1; i <= levels; i++) {
    const declared = Array.from({ length: width }, (_, j) => `(export "e${j}" (instance (type $t)))`).join(
      ' ',
    );
    types += `(type $I${i} (instance (alias outer $C $I${i - 1} (type $t)) ${declared}))\n`;
    const given = Array.from({ length: width }, (_, j) => `(export "e${j}" (instance $v${i - 1}))`).join(' ');
    types += `(instance $v${i} ${given})\n`;
  }
  return `(component $C\n${types}\n(component $N (import "i" (instance (type $I${levels}))))\n(instance (instantiate $N (with "i" (instance $v${levels})))))`;
}

it('instance argument exponential: 8 shared exports at 15 levels are refused in bounded time', async () => {
  const bytes = await componentText(text(15, 8));
  expect(bytes.length).toBeLessThan(4096);
  const kernel = new Kernel({ cacheDir: false });
  try {
    const started = performance.now();
    await expect(kernel.load(bytes)).rejects.toMatchObject({
      code: 'invalid-module',
      message: expect.stringMatching(/more than 100000 checks/),
    });
    expect(performance.now() - started).toBeLessThan(5_000);
  } finally {
    await kernel.close();
  }
}, 30_000);

it('instance argument exponential: the same shape, 3 wide and 4 deep, still loads', async () => {
  const kernel = new Kernel({ cacheDir: false });
  try {
    await kernel.load(await componentText(text(4, 3)));
  } finally {
    await kernel.close();
  }
});
