import { defineConfig } from 'vitest/config';

// The fixture's own run: forks as in the suite, the two fixture files only.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/helpers/crash-fixture/*.fixture.ts'],
    reporters: ['default', './test/helpers/unfinished-reporter.ts'],
  },
});
