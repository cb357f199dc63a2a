/**
 * Committed SDK guests are what their sources build: each guest project's build record
 * (`<output>.build.json`) names the hash of its inputs (sources, WIT, the generated bindings,
 * the SDK runtime) and of its component. Needs no toolchain: when a source, the WIT, the
 * runtime or a generator changes, the hash changes and this fails until the guest is rebuilt
 * (`npm run build:sdk-guests`). `.ci/run` rebuilds with the toolchains and compares the bytes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listProjects } from '../../scripts/build-sdk-guests.js';
import { inputHash, keelRoot, readRecord, sha256 } from '../../scripts/sdk/project.js';

const projects = listProjects();

describe('committed SDK guests', () => {
  it('include the C probe', () => {
    expect(projects.map((p) => relative(keelRoot(), p.dir))).toContain('guests/sdk-probe/c');
  });

  it.each(projects.map((p) => [relative(keelRoot(), p.dir), p] as const))(
    '%s: the component and its record match the sources (else run npm run build:sdk-guests)',
    async (_name, project) => {
      const record = readRecord(project);
      expect(record, 'no build record').toBeDefined();
      const output = `${project.dir}/${project.output}`;
      expect(existsSync(output)).toBe(true);
      expect(sha256(new Uint8Array(readFileSync(output)))).toBe(record!.output);
      expect(await inputHash(project)).toBe(record!.inputs);
    },
  );
});
