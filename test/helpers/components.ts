/** Fixture modules shared with the benchmarks. */
export * from '../../scripts/lib/fixtures.js';
