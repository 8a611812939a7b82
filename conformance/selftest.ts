/**
 * @module selftest
 * Proves the suite: it must pass the in-memory reference server (every MUST)
 * and catch every named fault of it. Each fault run starts a reference server
 * with that one fault on and runs the whole suite; a fault counts as caught
 * only when a check fails on it deterministically (a plain check, or a
 * property's fixed example), never by a lucky random input.
 *
 *   npm run conformance:selftest [-- --runs N --clean-runs N --concurrency C --fault NAME --json FILE]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ContractValidator } from './contract.js';
import { defaultOptions, type RunOptions } from './options.js';
import { FAULT_NAMES, FAULTS, startReferenceServer, type FaultName } from './reference/server.js';
import { runConformance, type RunReport } from './runner.js';

export interface FaultVerdict {
  fault: FaultName;
  description: string;
  /** MUST checks that failed, deterministic ones first. */
  caughtBy: string[];
  /** Of those, the ones that fail on every run. */
  deterministic: string[];
  caught: boolean;
  durationMs: number;
  fatal?: string;
}

export interface SelftestResult {
  clean: RunReport;
  /** MUST checks that failed against the fault-free server (must be empty). */
  cleanFailures: string[];
  faults: FaultVerdict[];
  ok: boolean;
  durationMs: number;
}

export interface SelftestOptions {
  /** Property runs per check in the fault runs. Default 1: examples always run in full, and they are what catches faults deterministically. */
  runs?: number;
  /** Property runs per check in the fault-free run. Default 20 (the CLI default), so random inputs cannot make a correct server fail. */
  cleanRuns?: number;
  /** Fault runs at a time. Default 3. */
  concurrency?: number;
  /** Only these faults. Default all. */
  faults?: readonly FaultName[];
  /** Run seed. Default 1. */
  seed?: number;
  /** Called as each run finishes. */
  onProgress?: (line: string) => void;
}

/**
 * Faults the fuzz area must catch on its own: their runs are `--only fuzz`.
 * The other fault runs leave the fuzz area out; their own checks catch them.
 */
export const FUZZ_FAULTS: readonly FaultName[] = ['crash-on-bad-query', 'undocumented-status', 'schema-drift-rare'];

function runOptions(runs: number, seed: number, faults: readonly FaultName[]): RunOptions {
  const selection = faults.length === 0 ? {} : faults.every((fault) => FUZZ_FAULTS.includes(fault)) ? { only: ['fuzz'] } : { skip: ['fuzz'] };
  return { ...defaultOptions(), runs, seed, webhookWaitMs: 5_000, ...selection };
}

async function runAgainst(faults: readonly FaultName[], runs: number, seed: number, contract: ContractValidator): Promise<RunReport> {
  return runConformance(runOptions(runs, seed, faults), {
    contract,
    startReference: () => startReferenceServer({ faults, webhookRetryDelaysMs: [200, 400], onError: () => undefined }),
  });
}

function verdict(fault: FaultName, report: RunReport): FaultVerdict {
  const failed = report.results.filter((result) => result.status === 'fail');
  const deterministic = failed.filter((result) => result.deterministic === true).map((result) => result.id);
  const others = failed.filter((result) => result.deterministic !== true).map((result) => result.id);
  return {
    fault,
    description: FAULTS[fault],
    caughtBy: [...deterministic, ...others],
    deterministic,
    caught: deterministic.length > 0,
    durationMs: report.durationMs,
    ...(report.fatal ? { fatal: report.fatal } : {}),
  };
}

/** Runs the self-test. */
export async function runSelftest(options: SelftestOptions = {}): Promise<SelftestResult> {
  const started = Date.now();
  const settings = { runs: options.runs ?? 1, cleanRuns: options.cleanRuns ?? defaultOptions().runs, concurrency: options.concurrency ?? 3, seed: options.seed ?? 1 };
  const contract = ContractValidator.fromFile();
  // The fault-free run is one more job in the pool, so it overlaps the fault runs.
  let clean: RunReport | undefined;
  const jobs: Array<FaultName | 'clean'> = ['clean', ...(options.faults ?? FAULT_NAMES)];
  const faults: FaultVerdict[] = [];
  const worker = async () => {
    for (let job = jobs.shift(); job !== undefined; job = jobs.shift()) {
      if (job === 'clean') {
        clean = await runAgainst([], settings.cleanRuns, settings.seed, contract);
        const failures = clean.results.filter((result) => result.status === 'fail').map((result) => result.id);
        options.onProgress?.(`clean reference server: ${clean.exitCode === 0 ? 'every MUST passed' : `FAILED ${failures.join(', ') || clean.fatal}`} (${(clean.durationMs / 1000).toFixed(1)} s)`);
        continue;
      }
      const report = await runAgainst([job], settings.runs, settings.seed, contract);
      const result = verdict(job, report);
      faults.push(result);
      options.onProgress?.(`${result.caught ? 'caught' : 'MISSED'} ${job} (${(result.durationMs / 1000).toFixed(1)} s)`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, settings.concurrency) }, worker));
  if (!clean) throw new Error('the fault-free run did not happen');
  const cleanFailures = clean.results.filter((result) => result.status === 'fail').map((result) => result.id);
  // A check that also fails on the fault-free server says nothing about the fault.
  for (const fault of faults) {
    fault.caughtBy = fault.caughtBy.filter((id) => !cleanFailures.includes(id));
    fault.deterministic = fault.deterministic.filter((id) => !cleanFailures.includes(id));
    fault.caught = fault.deterministic.length > 0;
  }
  const order = options.faults ?? FAULT_NAMES;
  faults.sort((a, b) => order.indexOf(a.fault) - order.indexOf(b.fault));
  return {
    clean,
    cleanFailures,
    faults,
    ok: clean.exitCode === 0 && faults.every((fault) => fault.caught),
    durationMs: Date.now() - started,
  };
}

/** The fault → check table. */
export function renderSelftest(result: SelftestResult): string {
  const width = Math.max(5, ...result.faults.map((fault) => fault.fault.length));
  const lines = [
    `clean reference server: ${result.clean.exitCode === 0 ? `PASS (${result.clean.summary.pass} passed, ${result.clean.summary.warn} SHOULD warnings, ${result.clean.requests} requests)` : `FAIL: ${result.cleanFailures.join(', ') || result.clean.fatal}`}`,
    '',
    `${'fault'.padEnd(width)}  caught  checks that failed (* = deterministic: a plain check or a fixed example)`,
    `${'─'.repeat(width)}  ──────  ${'─'.repeat(60)}`,
  ];
  for (const fault of result.faults) {
    const checks = fault.caughtBy.map((id) => (fault.deterministic.includes(id) ? `${id}*` : id)).join(', ');
    lines.push(`${fault.fault.padEnd(width)}  ${fault.caught ? 'yes   ' : 'NO    '}  ${checks || fault.fatal || '(nothing failed)'}`);
  }
  const caught = result.faults.filter((fault) => fault.caught).length;
  lines.push('', `${caught}/${result.faults.length} faults caught deterministically · ${(result.durationMs / 1000).toFixed(1)} s · ${result.ok ? 'SELFTEST PASS' : 'SELFTEST FAIL'}`);
  return `${lines.join('\n')}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      'clean-runs': { type: 'string' },
      concurrency: { type: 'string' },
      fault: { type: 'string', multiple: true },
      seed: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const unknown = (values.fault ?? []).filter((name) => !(FAULT_NAMES as string[]).includes(name));
  if (unknown.length > 0) {
    process.stderr.write(`unknown fault(s): ${unknown.join(', ')}\nknown: ${FAULT_NAMES.join(', ')}\n`);
    process.exit(2);
  }
  const result = await runSelftest({
    ...(values.runs ? { runs: Number(values.runs) } : {}),
    ...(values['clean-runs'] ? { cleanRuns: Number(values['clean-runs']) } : {}),
    ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}),
    ...(values.seed ? { seed: Number(values.seed) } : {}),
    ...(values.fault ? { faults: values.fault as FaultName[] } : {}),
    onProgress: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(renderSelftest(result));
  if (values.json) writeFileSync(values.json, JSON.stringify({ ...result, clean: { ...result.clean, results: result.clean.results.filter((r) => r.status !== 'pass') } }, null, 2));
  process.exitCode = result.ok ? 0 : 1;
}
