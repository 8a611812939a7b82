// The suite proves itself: it passes the in-memory reference server and each
// of its allowed variants, and catches named faults of it deterministically
// (see conformance/cli/selftest.ts). The deep run: every fault (selftest.test.ts
// runs a fixed half of them on every push).
import { describe, expect, it } from 'vitest';
import { FAULT_NAMES, VARIANT_NAMES } from '../../conformance/reference/server.js';
import { renderSelftest, runSelftest } from '../../conformance/cli/selftest.js';

describe('conformance self-test', () => {
  it('passes the reference server and every variant, and catches every fault with a deterministic check', async () => {
    const sample = FAULT_NAMES;
    const result = await runSelftest({ concurrency: 3 });
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
