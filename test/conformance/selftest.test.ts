// The suite proves itself: it passes the in-memory reference server and each
// of its allowed variants, and catches named faults of it deterministically
// (see conformance/cli/selftest.ts). CI runs every other fault (a fixed half);
// selftest.deep.test.ts (`npm run test:deep`) runs every fault.
import { describe, expect, it } from 'vitest';
import { FAULT_NAMES, VARIANT_NAMES } from '../../conformance/reference/server.js';
import { renderSelftest, runSelftest } from '../../conformance/cli/selftest.js';

describe('conformance self-test', () => {
  it('passes the reference server and every variant, and catches each sampled fault with a deterministic check', async () => {
    const sample = FAULT_NAMES.filter((_, index) => index % 2 === 0);
    const result = await runSelftest({ concurrency: 3, faults: sample });
    console.log(renderSelftest(result));
    expect(result.clean.fatal).toBeUndefined();
    expect(result.cleanFailures).toEqual([]);
    expect(result.clean.exitCode).toBe(0);
    expect(result.faults.map((fault) => fault.fault)).toEqual(sample);
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
