/**
 * A test file marked `// @alone: <why>` (vitest.config.ts) runs in the second group, one file
 * at a time, wherever it lives: never in the first group beside another heavy file.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import config from '../../vitest.config.js';

it('keeps every file marked @alone out of the parallel group, and the marked files exist', () => {
  const projects = (config.test?.projects ?? []) as { test: { name: string; include?: string[] } }[];
  const parallel = projects.find((project) => project.test.name === 'parallel')?.test.include ?? [];
  expect(parallel.length).toBeGreaterThan(100);
  const marked = ['test/hostile/abi/string-longer-than-host.test.ts', 'test/cli/new-build.test.ts'];
  for (const file of marked) {
    expect(readFileSync(file, 'utf8')).toMatch(/^\/\/ @alone: /m);
    expect(parallel).not.toContain(file);
  }
  expect(parallel).toContain('test/abi/differential.test.ts');
});
