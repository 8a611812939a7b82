/**
 * @module test/conformance/sweeps/replay
 * Every property failure on a faulty reference server replays, from its
 * printed replay, to the same failure and counterexample. `npm test` replays
 * a sample of faults (replay.test.ts), `npm run test:deep` every fault
 * (replay.deep.test.ts).
 */
import { expect } from 'vitest';
import type { Check } from '../../../conformance/engine/check.js';
import { ALL_CHECKS } from '../../../conformance/checks/index.js';
import { parseCommandLine } from '../../../conformance/cli/cli.js';
import { ContractValidator } from '../../../conformance/http/contract.js';
import { defaultOptions, type RunOptions } from '../../../conformance/engine/options.js';
import { startReferenceServer, type FaultName } from '../../../conformance/reference/server.js';
import { runConformance, type CheckResult } from '../../../conformance/runner.js';

const contract = ContractValidator.fromFile();

/** The options the printed replay command stands for. */
export function replayOptions(
  result: CheckResult,
  base: Partial<RunOptions>,
  checks: readonly Check[] = ALL_CHECKS,
): RunOptions {
  const args = result.replay!.match(/'[^']*'|\S+/g)!.map((arg) => arg.replace(/^'|'$/g, ''));
  const parsed = parseCommandLine(args, {}, [...ALL_CHECKS, ...checks]).options;
  return { ...parsed, ...base, seed: parsed.seed, only: parsed.only, replay: parsed.replay! };
}

/**
 * A message without what differs between two runs of the same case: the run id in
 * generated names, resource ids, clock readings, and the count of other findings
 * (a replay runs only the one it targets).
 */
export function sameRun(text: string | undefined): string {
  return (text ?? '')
    .replace(/ \(and \d+ more finding\(s\)\)/g, '')
    .replace(/gxc-[0-9a-z]+/g, '<run>')
    .replace(/\b[a-z]+_[0-9A-Za-z]{20,}\b/g, '<id>')
    .replace(/\d{9,}/g, '<n>')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>');
}

const PROPERTY_CHECKS = ALL_CHECKS.filter((check) => check.property).map((check) => check.id);

/**
 * Runs the property checks against a reference server with each fault of
 * `faults`, replays every failure and warning, and expects each replay to
 * give the same verdict, message and counterexample. Resolves to the
 * replayed `fault: check` pairs.
 */
export async function expectFaultReplays(faults: readonly FaultName[]): Promise<string[]> {
  const covered: string[] = [];
  const mismatches: string[] = [];
  const queue = [...faults];
  const worker = async () => {
    for (let fault = queue.shift(); fault !== undefined; fault = queue.shift()) {
      const hooks = {
        contract,
        startReference: () =>
          startReferenceServer({ faults: [fault], webhookRetryDelaysMs: [200], onError: () => undefined }),
      };
      const options: RunOptions = { ...defaultOptions(), seed: 5, runs: 3, webhookWaitMs: 3_000 };
      const report = await runConformance({ ...options, only: PROPERTY_CHECKS }, hooks);
      for (const failed of report.results.filter((r) => (r.status === 'fail' || r.status === 'warn') && r.replay)) {
        const again = await runConformance(replayOptions(failed, { webhookWaitMs: 3_000 }), hooks);
        const replayed = again.results.find((r) => r.id === failed.id);
        covered.push(`${fault}: ${failed.id}`);
        if (
          replayed?.status !== failed.status ||
          sameRun(replayed.counterexample) !== sameRun(failed.counterexample) ||
          sameRun(replayed.message) !== sameRun(failed.message)
        ) {
          mismatches.push(
            `${fault}: ${failed.id} ${failed.replay} → ${replayed?.status} ${replayed?.counterexample} (${replayed?.message ?? again.fatal}) instead of ${failed.counterexample}`,
          );
        }
      }
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  console.log(`replayed ${covered.length} property failures:\n${covered.sort().join('\n')}`);
  expect(mismatches).toEqual([]);
  return covered;
}
