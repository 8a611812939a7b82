/**
 * @module scripts/deep/sweep
 * `npm run test:deep`: the no-false-failure sweep. The full default run
 * (fuzz included) with N seeds (default 30) against the reference server and
 * against every variant of it (eager anomaly detection included), spread over
 * worker processes; 0 MUST failures is the bar. Prints a table per server and
 * every failure with its seed (replay with `npm run conformance -- --seed S`,
 * plus `--variant`-free reference or the variant's server); exit 1 on any.
 *
 *   npm run test:deep [-- --seeds N --first S --processes P --only reference,eager-anomalies --json FILE]
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { VARIANT_NAMES } from '../../conformance/reference/variants.js';

interface RunLine {
  target: string;
  seed: number;
  exitCode: number;
  fatal?: string;
  mustFailures: Array<{ id: string; message: string }>;
  warnings: string[];
  checks: number;
  requests: number;
  durationMs: number;
}

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '30' },
    first: { type: 'string', default: '1' },
    processes: { type: 'string' },
    only: { type: 'string' },
    json: { type: 'string' },
  },
});
const count = Number(values.seeds);
const first = Number(values.first);
const processes = Number(values.processes ?? Math.max(1, Math.min(4, availableParallelism() - 1)));
if (![count, first, processes].every((n) => Number.isInteger(n) && n > 0)) {
  process.stderr.write('test:deep: --seeds, --first and --processes take positive integers\n');
  process.exit(2);
}
const targets = values.only ? values.only.split(',') : ['reference', ...VARIANT_NAMES];
for (const target of targets)
  if (target !== 'reference' && !(VARIANT_NAMES as readonly string[]).includes(target)) {
    process.stderr.write(`test:deep: unknown server ${JSON.stringify(target)} (reference or a variant)\n`);
    process.exit(2);
  }
// Seeds spread out so neighbouring runs do not share structure; fixed so a failure replays.
const seeds = Array.from({ length: count }, (_, i) => (first + i) * 7_919);

/** Jobs of a few seeds each, so the processes stay busy until the end. */
const jobs: Array<{ target: string; seeds: number[] }> = [];
for (const target of targets)
  for (let i = 0; i < seeds.length; i += 5) jobs.push({ target, seeds: seeds.slice(i, i + 5) });

const lines: RunLine[] = [];
const started = Date.now();

function runJob(job: { target: string; seeds: number[] }): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/deep/worker.ts', job.target, job.seeds.join(',')],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        const line = JSON.parse(buffer.slice(0, end)) as RunLine;
        buffer = buffer.slice(end + 1);
        lines.push(line);
        const verdict =
          line.exitCode === 0 ? 'pass' : `FAIL ${line.mustFailures.map((f) => f.id).join(', ') || line.fatal}`;
        process.stderr.write(
          `[${lines.length}/${targets.length * seeds.length}] ${line.target} seed ${line.seed}: ${verdict}\n`,
        );
      }
    });
    child.on('close', () => resolve());
  });
}

const queue = [...jobs];
await Promise.all(
  Array.from({ length: Math.min(processes, queue.length) }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await runJob(job);
  }),
);

const rows = targets.map((target) => {
  const runs = lines.filter((line) => line.target === target);
  const failed = runs.filter((line) => line.exitCode !== 0);
  const ms = runs.map((line) => line.durationMs);
  return {
    target,
    runs: runs.length,
    failedRuns: failed.length,
    mustFailures: failed.flatMap((line) => line.mustFailures.map((f) => `${f.id} (seed ${line.seed}): ${f.message}`)),
    fatal: failed.filter((line) => line.fatal).map((line) => `seed ${line.seed}: ${line.fatal}`),
    warnings: [...new Set(runs.flatMap((line) => line.warnings))],
    meanSeconds: ms.length ? ms.reduce((a, b) => a + b, 0) / ms.length / 1000 : 0,
  };
});
const out = [
  `test:deep: ${seeds.length} seeds × ${targets.length} servers, full default run (fuzz included), ${processes} processes, ${((Date.now() - started) / 1000).toFixed(0)} s`,
  '',
  `${'server'.padEnd(18)} runs  MUST-failed runs  mean s  SHOULD warnings seen`,
  ...rows.map(
    (row) =>
      `${row.target.padEnd(18)} ${String(row.runs).padStart(4)}  ${String(row.failedRuns).padStart(16)}  ${row.meanSeconds.toFixed(1).padStart(6)}  ${row.warnings.join(', ') || '-'}`,
  ),
  ...rows.flatMap((row) => [...row.mustFailures, ...row.fatal].map((text) => `✗ ${row.target}: ${text}`)),
];
const missing = targets.length * seeds.length - lines.length;
if (missing > 0) out.push(`✗ ${missing} run(s) gave no result (a worker crashed; see stderr)`);
const ok = missing === 0 && rows.every((row) => row.failedRuns === 0);
out.push('', ok ? 'DEEP SWEEP PASS: 0 MUST failures' : 'DEEP SWEEP FAIL');
process.stdout.write(`${out.join('\n')}\n`);
if (values.json) writeFileSync(values.json, `${JSON.stringify({ seeds, rows, lines }, null, 2)}\n`);
process.exit(ok ? 0 : 1);
