// Run only by test/architecture/unfinished-reporter.test.ts: a file that finishes.
import { expect, it } from 'vitest';

it('passes', () => expect(1).toBe(1));
