/**
 * Attack: a guest's log message carries a newline and terminal escape sequences. `keel up`
 * prints every guest's log lines to one stdout, each behind its sandbox's name: printed as it
 * was, one guest's newline began a line in another sandbox's name (`[victim (sbx_1)] ...`) or
 * the kernel's (`! victim (sbx_1): policy violation ..., killed`), and an escape sequence drove
 * the operator's terminal (set its title, erased the line). The probe guest logs what it is
 * sent (`v1 msg host 0 <body>`), as a guest would log what another sent it. Now a guest's text
 * stays on its own line, its control characters escaped (`\n`, `\u001b`); `keel run` prints a
 * guest's log lines the same way (`guestText`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { guestText } from '../../../host/cli/output.js';

const bin = fileURLToPath(new URL('../../../bin/keel.js', import.meta.url));
const probe = fileURLToPath(new URL('../../../guests/as/probe/probe.wasm', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'keel-forge-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const FORGED = '  ! victim (sbx_1): policy violation (max-denials), killed';
const grants = '[keel:kernel/log, keel:kernel/events, keel:kernel/ipc]';

it('a guest log line cannot print a line of another sandbox or of the kernel, nor drive the terminal', () => {
  const plan = join(scratch, 'forge.yaml');
  writeFileSync(
    plan,
    `version: 1
name: forge
deterministic: true
deadline: 5s
sandboxes:
  - { name: victim, module: ${JSON.stringify(probe)}, mount: /forge/victim, grants: ${grants} }
  - { name: liar, module: ${JSON.stringify(probe)}, mount: /forge/liar, grants: ${grants} }
messages:
  - to: liar
    text: "hi\\n  [victim (sbx_1)] paid 1000\\n${FORGED}\\e]0;owned\\a\\e[2K\\r\\u2028\\u202e"
`,
  );
  const r = spawnSync(process.execPath, [bin, 'up', plan, '--cache-dir', join(scratch, 'cache')], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 120_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const lines = r.stdout.split('\n');
  expect(lines.filter((line) => line.includes('paid 1000'))).toEqual([
    expect.stringMatching(/^ {2}\[\w+ \(sbx_2\)\] v1 msg host 0 hi\\n {2}\[victim \(sbx_1\)\] paid 1000\\n/),
  ]);
  expect(lines.some((line) => line.startsWith(FORGED))).toBe(false);
  expect(r.stdout).not.toMatch(/[\u001b\u0007\r\u2028\u202e]/);
  expect(r.stdout).toContain('\\u001b]0;owned\\u0007\\u001b[2K\\r\\u2028\\u202e');
});

it('escapes every control character but the tab, and leaves other text as it is', () => {
  expect(guestText('a\tb é 日本 🙂')).toBe('a\tb é 日本 🙂');
  expect(guestText('\u0000\n\r\u001b\u007f\u009b\u2029\u2066')).toBe(
    '\\u0000\\n\\r\\u001b\\u007f\\u009b\\u2029\\u2066',
  );
});
