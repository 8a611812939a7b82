/**
 * @module test/conformance/sweeps/selftest
 * The suite proves itself: it passes the in-memory reference server and each
 * of its allowed variants, and catches named faults of it deterministically
 * (see conformance/cli/selftest.ts). `npm test` catches a fixed sample of the
 * faults (selftest.test.ts); `npm run test:deep` every fault
 * (selftest.deep.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { VARIANT_NAMES, type FaultName } from '../../../conformance/reference/server.js';
import { renderSelftest, runSelftest, type SelftestOptions } from '../../../conformance/cli/selftest.js';

/** Runs the self-test with `faults` (and `settings`) and requires a clean pass, every variant passed and each fault caught. */
export function selftestSweep(
  faults: readonly FaultName[],
  title: string,
  settings: Omit<SelftestOptions, 'faults'> = {},
): void {
  describe('conformance self-test', () => {
    it(`passes the reference server and every variant, and catches ${title} with a deterministic check`, async () => {
      const result = await runSelftest({ concurrency: 3, ...settings, faults });
      console.log(renderSelftest(result));
      expect(result.clean.fatal).toBeUndefined();
      expect(result.cleanFailures).toEqual([]);
      expect(result.clean.exitCode).toBe(0);
      expect(result.faults.map((fault) => fault.fault)).toEqual(faults);
      const missed = result.faults.filter((fault) => fault.deterministic.length === 0).map((fault) => fault.fault);
      expect(missed).toEqual([]);
      expect(result.variants.map((variant) => variant.variant)).toEqual(VARIANT_NAMES);
      expect(
        result.variants
          .filter((variant) => !variant.passed)
          .map((variant) => `${variant.variant}: ${variant.failures.join(', ')}${variant.fatal ?? ''}`),
      ).toEqual([]);
      expect(result.ok).toBe(true);
    }, 900_000);
  });
}
