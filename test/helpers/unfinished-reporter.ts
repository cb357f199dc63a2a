/**
 * Names the test files that never finished. When a vitest fork dies (out of heap, a signal, a
 * native abort), vitest reports only "Worker exited unexpectedly" among its unhandled errors and
 * counts the file in neither the passed nor the failed: CI's output then says nothing of which
 * file it was. This reporter runs after the default one and prints, last, each file that
 * started and did not end and how long it had run, so that the tail of the output names the
 * culprit, then each of its tests' last reported state: a worker reports its results in
 * batches, so a test that passed just before the worker died may still read `pending`.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class UnfinishedReporter implements Reporter {
  readonly #started = new Map<string, number>();

  onTestModuleStart(module: TestModule): void {
    this.#started.set(module.moduleId, performance.now());
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const unfinished = modules.filter((module) => {
      const state = module.state();
      return state !== 'passed' && state !== 'failed' && state !== 'skipped';
    });
    if (unfinished.length === 0) return;
    const lines = [`\n${unfinished.length} test file(s) did not finish (their worker died or was stopped):`];
    const now = performance.now();
    for (const module of unfinished) {
      const started = this.#started.get(module.moduleId);
      const ran = started === undefined ? 'never started' : `ran ${((now - started) / 1000).toFixed(1)} s`;
      lines.push(`  ${module.project.name} ${module.relativeModuleId}: ${module.state()}, ${ran}`);
      for (const test of module.children.allTests()) {
        lines.push(`    last reported ${test.result().state.padEnd(7)} ${test.fullName}`);
      }
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
