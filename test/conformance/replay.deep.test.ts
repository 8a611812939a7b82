// Replay in full (npm run test:deep): every property failure of every reference-server fault replays to the same failure.
import { describe, expect, it } from 'vitest';
import { FAULT_NAMES } from '../../conformance/reference/server.js';
import { expectFaultReplays } from './sweeps/replay.js';

describe('replay of every fault a property catches', () => {
  it('each property failure on a faulty reference server replays to the same failure and counterexample', async () => {
    const covered = await expectFaultReplays(FAULT_NAMES);
    expect(covered.length).toBeGreaterThan(10);
  }, 1_800_000);
});
