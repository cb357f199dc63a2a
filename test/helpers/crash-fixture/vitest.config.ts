import { defineConfig } from 'vitest/config';

// The fixtures' own run: forks, the heap watch and the reporters as in the suite. A test names the
// fixture files it runs.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/helpers/crash-fixture/*.fixture.ts'],
    setupFiles: ['./test/helpers/heap-watch.ts'],
    reporters: ['default', './test/helpers/unfinished-reporter.ts'],
  },
});
