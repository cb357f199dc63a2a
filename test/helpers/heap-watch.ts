/**
 * Every test file's process says, on its standard error, which test was running when its JS
 * heap was over HEAP_WARN_BYTES (once a test), and at the file's end the most it saw. A fork that dies of
 * heap exhaustion prints V8's "JavaScript heap out of memory" and nothing of the test; this says
 * which one grew (CI's output twice reported a dead fork and named no file: see
 * test/helpers/unfinished-reporter.ts for the file). Sampled every 250 ms on a timer that keeps
 * no process alive; no test holds near this much. A timer cannot fire while synchronous code
 * runs, so growth inside one synchronous stretch (as the CI failure's: vitest formatting a 78 MB
 * argument) is reported against the next test sampled, or not at all: the unfinished reporter
 * still names the file.
 */
import { afterAll, beforeEach, expect } from 'vitest';

/** 1 GiB, or KEEL_HEAP_WARN_MB (test/architecture/heap-watch sets it low to see the line). */
const HEAP_WARN_BYTES = Number(process.env.KEEL_HEAP_WARN_MB ?? 1024) * 2 ** 20;
let current = '(between tests)';
let warned = '';
let peak = 0;

beforeEach(() => {
  current = expect.getState().currentTestName ?? '(unnamed)';
});

const timer = setInterval(() => {
  const used = process.memoryUsage().heapUsed;
  if (used > peak) peak = used;
  if (used > HEAP_WARN_BYTES && warned !== current) {
    warned = current;
    process.stderr.write(`[heap-watch] ${expect.getState().testPath}: ${current}: JS heap ${mb(used)}\n`);
  }
}, 250);
timer.unref();

afterAll(() => {
  clearInterval(timer);
  if (peak > HEAP_WARN_BYTES) {
    process.stderr.write(`[heap-watch] ${expect.getState().testPath}: peak JS heap ${mb(peak)}\n`);
  }
});

function mb(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MB`;
}
