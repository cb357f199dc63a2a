/**
 * Progress for long work, as a user sees it: the first load of a big component (an 11 MB
 * componentize-js guest: validating, metering, compiling) and `keel build` take seconds, so a
 * terminal gets notes on stderr; a pipe or a file gets nothing unless `--progress` asks, and
 * `--json`'s stdout never carries any. The terminal is a real pseudo-terminal (util-linux
 * `script`), with stdout redirected to a file where a test needs the two apart.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, keel, ROOT, scratchDir } from './harness.js';

const dir = scratchDir('progress');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BIG = join(ROOT, 'guests/js/cjs-hello/build/hello.wasm');
const hello = [
  '--grant',
  'wasi:clocks/monotonic-clock',
  '--grant',
  'wasi:clocks/wall-clock',
  '--grant',
  'wasi:random/random',
  '--invoke',
  'hello',
  '--args',
  '["you"]',
];
const GREETING = 'hello you, random ok: true, clock ok: true';
/** What the guest prints (console.log) before `keel run` prints the value it returned. */
const OUTPUT = `log from js: you\n${GREETING}\n`;
const ESC = '\u001b[';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** `keel ...args` with stderr (and stdout, unless `shell` redirects it) on a pseudo-terminal. */
function onTerminal(args: string[], shell = '') {
  const available = spawnSync('script', ['--version'], { encoding: 'utf8' });
  expect(available.status, 'util-linux script is needed for this test').toBe(0);
  const command = `${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}${shell}`;
  const r = spawnSync('script', ['-qefc', command, '/dev/null'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    input: '',
    timeout: 280_000,
  });
  return { status: r.status, terminal: r.stdout };
}

describe('progress while loading (keel run)', () => {
  it('says nothing on a pipe unless asked; --progress gives plain lines; --quiet wins', () => {
    const plain = keel(['run', BIG, ...hello], { cache: join(dir, 'cold-1') });
    expect(plain.status).toBe(0);
    expect(plain.stdout).toBe(OUTPUT);
    expect(plain.stderr).toBe('');

    const asked = keel(['run', BIG, ...hello, '--progress'], { cache: join(dir, 'cold-2') });
    expect(asked.status).toBe(0);
    expect(asked.stdout).toBe(OUTPUT);
    expect(asked.stderr).toContain(`keel: loading ${BIG}…\n`);
    expect(asked.stderr).toMatch(/keel: loading .*: done in \d+\.\d s\n/);
    // A pipe gets no terminal control sequences.
    expect(asked.stderr).not.toContain(ESC);

    const hushed = keel(['run', BIG, ...hello, '--progress', '--quiet', '--json'], {
      cache: join(dir, 'cold-3'),
    });
    expect(hushed.stderr).toBe('');
    expect(JSON.parse(hushed.stdout.trim().split('\n').at(-1)!)).toMatchObject({ ok: true });
  }, 300_000);

  it('shows a transient note on a terminal, erased before the guest writes', () => {
    const r = onTerminal(['run', BIG, ...hello, '--cache-dir', join(dir, 'cold-4')]);
    expect(r.status).toBe(0);
    const shown = r.terminal.indexOf(`\r${ESC}2Kloading ${BIG}…`);
    expect(shown).toBeGreaterThanOrEqual(0);
    const erased = r.terminal.indexOf(`\r${ESC}2K`, shown + 1);
    expect(erased).toBeGreaterThan(shown);
    expect(r.terminal.indexOf('log from js: you')).toBeGreaterThan(erased);
  }, 300_000);

  it('keeps --json alone on stdout while the terminal gets the note', () => {
    const out = join(dir, 'run.json');
    const r = onTerminal(
      ['run', BIG, ...hello, '--cache-dir', join(dir, 'cold-5'), '--json'],
      ` > ${quote(out)}`,
    );
    expect(r.status).toBe(0);
    expect(r.terminal).toContain(`loading ${BIG}…`);
    const stdout = readFileSync(out, 'utf8');
    expect(stdout).not.toContain(ESC);
    expect(stdout).not.toContain('loading');
    const lines = stdout.trimEnd().split('\n');
    expect(lines.at(-2)).toBe('log from js: you');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ ok: true, value: GREETING });
  }, 300_000);

  it('shows nothing for a quick load (a small cached module)', () => {
    const small = join(ROOT, 'guests/as/hello/hello.wasm');
    const cache = join(dir, 'small');
    const args = [
      'run',
      small,
      '--grant',
      'keel:kernel/log',
      '--invoke',
      'greet',
      '--args',
      '["you"]',
      '--quiet',
    ];
    expect(keel(args, { cache }).status).toBe(0);
    const r = onTerminal([...args, '--cache-dir', cache]);
    expect(r.status).toBe(0);
    expect(r.terminal).not.toContain('loading');
    expect(r.terminal).toContain('Hello, you!');
  }, 300_000);
});

describe('progress while building (keel build)', () => {
  it('prints steps on a terminal, none on a pipe unless --progress, never on --json stdout', () => {
    const project = join(dir, 'greeter');
    expect(keel(['new', 'as', project]).status).toBe(0);

    const piped = keel(['build', project]);
    expect(piped.status).toBe(0);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toMatch(new RegExp(`^${join(project, 'greeter.wasm')} \\(\\d+ bytes\\)\n$`));

    const asked = keel(['build', project, '--progress']);
    expect(asked.status).toBe(0);
    expect(asked.stderr).toMatch(/^\[\d+\.\ds\] resolving the WIT world/);
    expect(asked.stderr).toMatch(/\[\d+\.\ds\] compiling index\.ts with AssemblyScript/);

    const out = join(dir, 'build.json');
    const r = onTerminal(['build', project, '--json'], ` > ${quote(out)}`);
    expect(r.status).toBe(0);
    expect(r.terminal).toMatch(/\[\d+\.\ds\] compiling index\.ts with AssemblyScript/);
    const stdout = readFileSync(out, 'utf8');
    expect(stdout.split('\n')).toHaveLength(2);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, output: join(project, 'greeter.wasm') });
  }, 300_000);
});
