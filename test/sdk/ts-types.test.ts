/**
 * A TypeScript guest is checked against its world before anything is bundled: wrong calls into
 * keel:kernel (an unknown log level, a string where the kernel takes bytes, a bigint timeout, an
 * import the interface does not have, a handler missing an export) fail `keel build` with
 * TypeScript's diagnostics, and the template the same check accepts is the control.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProject } from '../../scripts/sdk/build.js';
import { declarationsPath, JsBuildError, typeCheck } from '../../scripts/sdk/js/build.js';
import { generateDeclarations } from '../../scripts/sdk/js/declarations.js';
import { createProject } from '../../scripts/sdk/new.js';
import { projectWorld, readProject } from '../../scripts/sdk/project.js';

/** The template's handler, with one wrong line per kind of mistake. */
const WRONG = `import { publish } from 'keel:kernel/events@0.2.0';
import { request, send, teleport } from 'keel:kernel/ipc@0.2.0';
import { log } from 'keel:kernel/log@0.2.0';
import type { Exports } from 'keel:world';

const encoder = new TextEncoder();

export const handler: Exports['handler'] = {
  onMessage(sender, body) {
    log('loud', sender);
    send(sender, 'a string is not bytes');
    request(sender, body, 5000n);
    publish('topic', body, 'extra');
    teleport(sender);
  },
  onReply() {},
  onEvent() {},
  onSignal() {},
};
export const unused = encoder;
`;

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'keel-ts-types-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('a TypeScript guest that calls keel:kernel wrongly', () => {
  it('fails the build with the type errors, line by line, before bundling', async () => {
    const dir = join(scratch, 'wrong');
    createProject('ts', dir);
    writeFileSync(join(dir, 'index.ts'), WRONG);
    const steps: string[] = [];
    const failure = await buildProject(readProject(dir), { onProgress: (line) => steps.push(line) }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(JsBuildError);
    const text = (failure as Error).message;
    expect(text).toMatch(/^type errors:/);
    // Line by line: the wrong enum case, bytes as a string, the bigint timeout, an extra
    // argument, a member keel:kernel/ipc does not export, the export the handler lacks.
    expect(text).toMatch(/index\.ts\(10,\d+\): error TS2345: Argument of type '"loud"'/);
    expect(text).toMatch(
      /index\.ts\(11,\d+\): error TS2345: Argument of type 'string' is not assignable to parameter of type 'Uint8Array/,
    );
    expect(text).toMatch(
      /index\.ts\(12,\d+\): error TS2345: Argument of type 'bigint' is not assignable to parameter of type 'number'/,
    );
    expect(text).toMatch(/index\.ts\(13,\d+\): error TS2554: Expected 2 arguments, but got 3/);
    expect(text).toMatch(
      /index\.ts\(2,\d+\): error TS2305: Module '"keel:kernel\/ipc@0\.2\.0"' has no exported member 'teleport'/,
    );
    expect(text).toMatch(/index\.ts\(8,\d+\): error TS2741: Property 'handle' is missing/);
    // Nothing was bundled or componentized: the check comes first.
    expect(steps.some((s) => s.includes('esbuild'))).toBe(false);
  }, 120_000);

  it('the same check accepts the template (the control)', async () => {
    const dir = join(scratch, 'right');
    createProject('ts', dir);
    const project = readProject(dir);
    const world = await projectWorld(project);
    writeFileSync(declarationsPath(dir), generateDeclarations(world.world));
    await expect(typeCheck(join(dir, 'index.ts'), declarationsPath(dir), dir)).resolves.toBeUndefined();
    expect(readFileSync(declarationsPath(dir), 'utf8')).toContain('declare module "keel:kernel/log@0.2.0"');
  }, 120_000);
});
