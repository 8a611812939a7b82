/**
 * @module scripts/deep/worker
 * One process of the deep sweep: runs the full default suite (fuzz included)
 * against one in-process reference server (plain or with one variant) for
 * each seed it is given, and prints one JSON line per run on stdout.
 *
 *   tsx scripts/deep/worker.ts <reference|variant> <seed>[,<seed>…]
 */
import { defaultOptions } from '../../conformance/engine/options.js';
import { ContractValidator } from '../../conformance/http/contract.js';
import { startReferenceServer, type VariantName } from '../../conformance/reference/server.js';
import { runConformance } from '../../conformance/runner.js';

const [target = 'reference', list = '1'] = process.argv.slice(2);
const seeds = list.split(',').map(Number);
const contract = ContractValidator.fromFile();
const variants = target === 'reference' ? [] : [target as VariantName];

for (const seed of seeds) {
  const report = await runConformance(
    // The default run, with a short webhook wait: the reference server delivers at once.
    { ...defaultOptions(), seed, webhookWaitMs: 5_000 },
    {
      contract,
      startReference: () =>
        startReferenceServer({ variants, webhookRetryDelaysMs: [200, 400], onError: () => undefined }),
    },
  );
  const line = {
    target,
    seed,
    exitCode: report.exitCode,
    fatal: report.fatal,
    mustFailures: report.results
      .filter((result) => result.status === 'fail')
      .map((result) => ({ id: result.id, message: result.message ?? '' })),
    warnings: report.results.filter((result) => result.status === 'warn').map((result) => result.id),
    checks: report.results.length,
    requests: report.requests,
    durationMs: report.durationMs,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
