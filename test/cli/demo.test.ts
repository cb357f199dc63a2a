import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('npm start (keel demo)', () => {
  it('runs every sample guest as expected, including one denied capability and one trap', () => {
    const bin = fileURLToPath(new URL('../../bin/keel.js', import.meta.url));
    const r = spawnSync(process.execPath, [bin, 'demo'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 120_000,
    });
    expect(r.stderr).not.toMatch(/did not behave as expected/);
    // What `npm start` prints: the demo's output, no Node.js warnings.
    expect(r.stderr).not.toMatch(/Warning/);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('"Hello, Keel!"');
    expect(r.stdout).toMatch(/capability-denied .*env\.read_secret/);
    expect(r.stdout).toMatch(/trap .*divide by zero/);
    expect(r.stdout).toMatch(/fuel-exhausted .*used 1000000 of 1000000/);
    expect(r.stdout).toMatch(/memory stopped at 49 pages .*got -1/);
    expect(r.stdout).toContain('guest:log');
    expect(r.stdout).toMatch(
      /source sent 20 items, sink got 16; flaky killed 2x \(policy violation\), restarted 2x/,
    );
    expect(r.stdout).toMatch(/policy:violation x2/);
  });
});
