/**
 * @module selftest
 * Proves the suite: it must pass the in-memory reference server (every MUST),
 * pass every allowed variant of it (behaviours the spec permits), and catch
 * every named fault of it. Each fault run starts a reference server with that
 * one fault on and runs the whole suite; a fault counts as caught only when a
 * check fails on it deterministically (a plain check, or a property's fixed
 * example), never by a lucky random input. Each variant run does the same
 * with one variant on, and must pass.
 *
 *   npm run conformance:selftest [-- --runs N --clean-runs N --variant-runs N --concurrency C --fault NAME --variant NAME --json FILE]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ContractValidator } from '../http/contract.js';
import { defaultOptions, type RunOptions } from '../engine/options.js';
import {
  FAULT_NAMES,
  FAULTS,
  SHOULD_FAULTS,
  startReferenceServer,
  VARIANT_NAMES,
  VARIANTS,
  type FaultName,
  type VariantName,
} from '../reference/server.js';
import { runConformance, type RunReport } from '../runner.js';
import { VERSION } from './version.js';

export const SELFTEST_HELP = `grantex-conformance self-test: proves the suite against the in-memory reference server

Usage: npm run conformance:selftest -- [options]

  --runs N           property runs per check in the fault runs (default 1: fixed examples catch faults)
  --clean-runs N     property runs per check in the fault-free run (default 20)
  --variant-runs N   property runs per check in the variant runs (default 5)
  --concurrency C    fault and variant runs at a time (default 3)
  --fault NAME       only this fault (repeatable; default all)
  --variant NAME     only this variant (repeatable; default all)
  --seed S           run seed (default 1)
  --json FILE        also write the result as JSON to FILE
  --help             this text
  --version          the version

Faults: ${FAULT_NAMES.join(', ')}
Variants: ${VARIANT_NAMES.join(', ')}
Exit codes: 0 the reference server and every variant passed and every fault was caught deterministically ·
            1 a fault was missed, a variant failed or the fault-free run failed · 2 bad options
`;

/** A bad command line: printed with a pointer to --help, exit 2. */
export class SelftestUsageError extends Error {
  override name = 'SelftestUsageError';
}

function count(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < min)
    throw new SelftestUsageError(`--${name} must be an integer ≥ ${min} (got ${JSON.stringify(value)})`);
  return parsed;
}

/** What the self-test's command line asks for. @throws {SelftestUsageError} */
export function parseSelftestArgs(
  args: readonly string[],
): { action: 'help' } | { action: 'version' } | { action: 'run'; options: SelftestOptions; json?: string } {
  // biome-ignore lint/suspicious/noImplicitAnyLet: the type is parseArgs' own, inferred from the options below
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        runs: { type: 'string' },
        'clean-runs': { type: 'string' },
        concurrency: { type: 'string' },
        fault: { type: 'string', multiple: true },
        variant: { type: 'string', multiple: true },
        'variant-runs': { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new SelftestUsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { action: 'help' };
  if (values.version) return { action: 'version' };
  const unknown = (values.fault ?? []).filter((name) => !(FAULT_NAMES as string[]).includes(name));
  if (unknown.length > 0)
    throw new SelftestUsageError(`unknown fault(s): ${unknown.join(', ')}\nknown: ${FAULT_NAMES.join(', ')}`);
  const unknownVariants = (values.variant ?? []).filter((name) => !(VARIANT_NAMES as string[]).includes(name));
  if (unknownVariants.length > 0)
    throw new SelftestUsageError(
      `unknown variant(s): ${unknownVariants.join(', ')}\nknown: ${VARIANT_NAMES.join(', ')}`,
    );
  const runs = count(values.runs, 'runs', 1);
  const cleanRuns = count(values['clean-runs'], 'clean-runs', 1);
  const concurrency = count(values.concurrency, 'concurrency', 1);
  const seed = count(values.seed, 'seed', 0);
  const variantRuns = count(values['variant-runs'], 'variant-runs', 1);
  const options: SelftestOptions = {
    ...(runs !== undefined ? { runs } : {}),
    ...(cleanRuns !== undefined ? { cleanRuns } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(values.fault ? { faults: values.fault as FaultName[] } : {}),
    ...(values.variant ? { variants: values.variant as VariantName[] } : {}),
    ...(variantRuns !== undefined ? { variantRuns } : {}),
  };
  return { action: 'run', options, ...(values.json !== undefined ? { json: values.json } : {}) };
}

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

export interface VariantVerdict {
  variant: VariantName;
  description: string;
  /** MUST checks that failed (must be empty). */
  failures: string[];
  /** SHOULD checks that warned on the variant but not on the reference. */
  newWarnings: string[];
  passed: boolean;
  durationMs: number;
  fatal?: string;
}

export interface SelftestResult {
  clean: RunReport;
  /** MUST checks that failed against the fault-free server (must be empty). */
  cleanFailures: string[];
  faults: FaultVerdict[];
  variants: VariantVerdict[];
  ok: boolean;
  durationMs: number;
}

export interface SelftestOptions {
  /** Property runs per check in the fault runs. Default 1: examples always run in full, and they are what catches faults deterministically. */
  runs?: number;
  /** Property runs per check in the fault-free run. Default 20 (the CLI default), so random inputs cannot make a correct server fail. */
  cleanRuns?: number;
  /** Property runs per check in the variant runs. Default 5 (the 20-seed test in test/conformance/variants.test.ts covers random inputs). */
  variantRuns?: number;
  /** Only these variants. Default all. */
  variants?: readonly VariantName[];
  /** Fault and variant runs at a time. Default 3. */
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
  const selection =
    faults.length === 0
      ? {}
      : faults.every((fault) => FUZZ_FAULTS.includes(fault))
        ? { only: ['fuzz'] }
        : { skip: ['fuzz'] };
  return { ...defaultOptions(), runs, seed, webhookWaitMs: 5_000, ...selection };
}

async function runAgainst(
  faults: readonly FaultName[],
  runs: number,
  seed: number,
  contract: ContractValidator,
  variants: readonly VariantName[] = [],
): Promise<RunReport> {
  return runConformance(runOptions(runs, seed, faults), {
    contract,
    startReference: () =>
      startReferenceServer({ faults, variants, webhookRetryDelaysMs: [200, 400], onError: () => undefined }),
  });
}

function variantVerdict(
  variant: VariantName,
  report: RunReport,
): Omit<VariantVerdict, 'newWarnings'> & { warnings: string[] } {
  const failures = report.results.filter((result) => result.status === 'fail').map((result) => result.id);
  return {
    variant,
    description: VARIANTS[variant],
    failures,
    warnings: report.results.filter((result) => result.status === 'warn').map((result) => result.id),
    passed: report.exitCode === 0,
    durationMs: report.durationMs,
    ...(report.fatal ? { fatal: report.fatal } : {}),
  };
}

function verdict(fault: FaultName, report: RunReport): FaultVerdict {
  // A fault against a SHOULD shows as a warning; one against a MUST only as a failure.
  const failed = report.results.filter(
    (result) => result.status === 'fail' || (SHOULD_FAULTS.has(fault) && result.status === 'warn'),
  );
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
  const settings = {
    runs: options.runs ?? 1,
    cleanRuns: options.cleanRuns ?? defaultOptions().runs,
    variantRuns: options.variantRuns ?? 5,
    concurrency: options.concurrency ?? 3,
    seed: options.seed ?? 1,
  };
  const contract = ContractValidator.fromFile();
  // The fault-free run is one more job in the pool, so it overlaps the fault runs.
  let clean: RunReport | undefined;
  type Job = FaultName | 'clean' | { variant: VariantName };
  const jobs: Job[] = [
    'clean',
    ...(options.variants ?? VARIANT_NAMES).map((variant) => ({ variant })),
    ...(options.faults ?? FAULT_NAMES),
  ];
  const faults: FaultVerdict[] = [];
  const variantRuns: Array<ReturnType<typeof variantVerdict>> = [];
  const worker = async () => {
    for (let job = jobs.shift(); job !== undefined; job = jobs.shift()) {
      if (typeof job === 'object') {
        const result = variantVerdict(
          job.variant,
          await runAgainst([], settings.variantRuns, settings.seed, contract, [job.variant]),
        );
        variantRuns.push(result);
        options.onProgress?.(
          `${result.passed ? 'passed' : 'FAILED'} variant ${job.variant}${result.failures.length ? `: ${result.failures.join(', ')}` : ''} (${(result.durationMs / 1000).toFixed(1)} s)`,
        );
        continue;
      }
      if (job === 'clean') {
        clean = await runAgainst([], settings.cleanRuns, settings.seed, contract);
        const failures = clean.results.filter((result) => result.status === 'fail').map((result) => result.id);
        options.onProgress?.(
          `clean reference server: ${clean.exitCode === 0 ? 'every MUST passed' : `FAILED ${failures.join(', ') || clean.fatal}`} (${(clean.durationMs / 1000).toFixed(1)} s)`,
        );
        continue;
      }
      const report = await runAgainst([job], settings.runs, settings.seed, contract);
      const result = verdict(job, report);
      faults.push(result);
      options.onProgress?.(
        `${result.caught ? 'caught' : 'MISSED'} ${job} (${(result.durationMs / 1000).toFixed(1)} s)`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, settings.concurrency) }, worker));
  if (!clean) throw new Error('the fault-free run did not happen');
  const cleanFailures = clean.results.filter((result) => result.status === 'fail').map((result) => result.id);
  const cleanWarnings = clean.results.filter((result) => result.status === 'warn').map((result) => result.id);
  // A check that also fails (or, for a SHOULD fault, warns) on the fault-free server says nothing about the fault.
  for (const fault of faults) {
    const seenClean = SHOULD_FAULTS.has(fault.fault) ? [...cleanFailures, ...cleanWarnings] : cleanFailures;
    fault.caughtBy = fault.caughtBy.filter((id) => !seenClean.includes(id));
    fault.deterministic = fault.deterministic.filter((id) => !seenClean.includes(id));
    fault.caught = fault.deterministic.length > 0;
  }
  const order = options.faults ?? FAULT_NAMES;
  faults.sort((a, b) => order.indexOf(a.fault) - order.indexOf(b.fault));
  const variantOrder = options.variants ?? VARIANT_NAMES;
  const variants: VariantVerdict[] = variantRuns
    .sort((a, b) => variantOrder.indexOf(a.variant) - variantOrder.indexOf(b.variant))
    .map(({ warnings, ...rest }) => ({ ...rest, newWarnings: warnings.filter((id) => !cleanWarnings.includes(id)) }));
  return {
    clean,
    cleanFailures,
    faults,
    variants,
    ok: clean.exitCode === 0 && faults.every((fault) => fault.caught) && variants.every((variant) => variant.passed),
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
    lines.push(
      `${fault.fault.padEnd(width)}  ${fault.caught ? 'yes   ' : 'NO    '}  ${checks || fault.fatal || '(nothing failed)'}`,
    );
  }
  const caught = result.faults.filter((fault) => fault.caught).length;
  const vwidth = Math.max(7, ...result.variants.map((variant) => variant.variant.length));
  lines.push(
    '',
    `${'variant'.padEnd(vwidth)}  pass    MUST failures · SHOULD warnings the reference server does not have`,
    `${'─'.repeat(vwidth)}  ──────  ${'─'.repeat(60)}`,
  );
  for (const variant of result.variants) {
    const detail = [
      variant.failures.join(', '),
      variant.newWarnings.length ? `warnings: ${variant.newWarnings.join(', ')}` : '',
      variant.fatal ?? '',
    ]
      .filter(Boolean)
      .join(' · ');
    lines.push(`${variant.variant.padEnd(vwidth)}  ${variant.passed ? 'yes   ' : 'NO    '}  ${detail || '(none)'}`);
  }
  const passed = result.variants.filter((variant) => variant.passed).length;
  lines.push(
    '',
    `${caught}/${result.faults.length} faults caught deterministically · ${passed}/${result.variants.length} variants passed · ${(result.durationMs / 1000).toFixed(1)} s · ${result.ok ? 'SELFTEST PASS' : 'SELFTEST FAIL'}`,
  );
  return `${lines.join('\n')}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let request: ReturnType<typeof parseSelftestArgs>;
  try {
    request = parseSelftestArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof SelftestUsageError)) throw error;
    process.stderr.write(`conformance:selftest: ${error.message}\n(see --help)\n`);
    process.exit(2);
  }
  if (request.action === 'help') process.stdout.write(SELFTEST_HELP);
  else if (request.action === 'version') process.stdout.write(`grantex-conformance selftest ${VERSION}\n`);
  else {
    const result = await runSelftest({
      ...request.options,
      onProgress: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(renderSelftest(result));
    if (request.json)
      writeFileSync(
        request.json,
        JSON.stringify(
          { ...result, clean: { ...result.clean, results: result.clean.results.filter((r) => r.status !== 'pass') } },
          null,
          2,
        ),
      );
    process.exitCode = result.ok ? 0 : 1;
  }
}
