/**
 * @module test/conformance/sweeps/fuzz
 * The fuzz area reports nothing on the healthy reference server, seed after
 * seed: `npm test` runs a few seeds (fuzz.test.ts), `npm run test:deep` 20
 * (fuzz.deep.test.ts).
 */
import { expect } from 'vitest';
import { ContractValidator } from '../../../conformance/http/contract.js';
import { defaultOptions } from '../../../conformance/engine/options.js';
import type { ReferenceServer } from '../../../conformance/reference/server.js';
import { runConformance } from '../../../conformance/runner.js';

const validator = ContractValidator.fromFile();

/**
 * Fuzz-only runs over `seeds` against `server` (started with
 * `validateResponses: true`): no finding, every fuzz check passes, and the
 * server found nothing wrong with its own answers.
 */
export async function expectNoFindings(server: ReferenceServer, seeds: readonly number[]): Promise<void> {
  const findings: string[] = [];
  let requests = 0;
  const queue = [...seeds];
  // Two runs at a time; each has its own developer, so they do not meet.
  const worker = async () => {
    for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) {
      const report = await runConformance(
        { ...defaultOptions(), only: ['fuzz'], runs: 10, seed, webhookWaitMs: 1_000, baseUrl: server.url },
        { contract: validator },
      );
      expect(report.fatal).toBeUndefined();
      requests += report.requests;
      for (const result of report.results)
        for (const finding of result.findings ?? [])
          findings.push(
            `seed ${seed}: ${result.id} ${finding.operationId} ${finding.status} ${finding.counterexample}`,
          );
      expect(report.results.map((result) => result.status)).toEqual(report.results.map(() => 'pass'));
      expect(report.results).toHaveLength(6);
    }
  };
  await Promise.all([worker(), worker()]);
  expect(findings).toEqual([]);
  // The server checked its own answers too.
  expect(server.violations).toEqual([]);
  expect(requests).toBeGreaterThan(seeds.length * 300);
}
