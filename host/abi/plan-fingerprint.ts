/**
 * A digest of the code that makes and caches a component's plan and metered modules: the
 * compiled modules that `loader.js`, `plan-codec.js` and `kernel/metering.js` import, directly
 * or not (the parser, the planner, the type checks it makes, the meter), written here by
 * `scripts/stamp-planner.ts` after every build. The loader keys a disk entry by it, so a plan or
 * module cached by other code is never read: a check added to the planner applies to every
 * component again.
 *
 * Empty in the sources (tests run them unbuilt): the loader then caches no plan.
 */
export const PLANNER_FINGERPRINT: string = '';
