/**
 * @module check
 * What a conformance check is (id, area, SPEC clause, level, extension) and
 * the typed failures a check raises. Checks read like the protocol: each one
 * names the clause it enforces.
 */
import type { CheckContext } from './context.js';
import type { CheckInfo } from './types.js';

export { CheckFailure, CheckSkipped, NotImplemented, expectThat, show } from './failures.js';
export { EXTENSIONS, type Extension, type Level, type RunCost, type Status } from './types.js';

/** One check of the suite. */
export interface Check extends CheckInfo {
  run(ctx: CheckContext): Promise<void>;
}
