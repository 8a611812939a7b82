/**
 * @module report/text
 * The human report: a summary table by area, then every failure with its SPEC
 * clause, expected vs observed, seed, path and replay command, and the minimal
 * HTTP transcript as curl commands; warnings, skips and totals follow.
 */
import { AREAS } from '../engine/options.js';
import type { RunReport } from '../engine/run-report.js';
import type { CheckResult, Tally } from '../engine/types.js';
import { keyExports, replayLine } from './rerun.js';

export interface TextOptions {
  /** List every check, not only the ones that need attention. Default false. */
  verbose?: boolean;
  /** How to invoke the suite in replay hints. Default `npm run conformance --`. */
  command?: string;
}

const COLUMNS: Array<[keyof Tally, string]> = [
  ['pass', 'pass'],
  ['fail', 'fail'],
  ['warn', 'warn'],
  ['not-implemented', 'n/i'],
  ['skip', 'skip'],
];

export function renderText(report: RunReport, options: TextOptions = {}): string {
  const lines: string[] = [];
  const command = options.command ?? 'npm run conformance --';
  lines.push(
    `grantex-conformance · ${report.baseUrl || '(no server)'}${report.reference ? ' (in-process reference server)' : ''} · run ${report.runId} · seed ${report.seed}`,
  );
  const offered = Object.entries(report.extensions).map(([name, yes]) => `${name} ${yes ? '✓' : '✗'}`);
  if (offered.length > 0) lines.push(`extensions: ${offered.join('  ')}`);
  if (report.fatal) {
    lines.push('', `COULD NOT RUN: ${report.fatal}`, '', 'RESULT: could not run (exit 2)');
    return `${lines.join('\n')}\n`;
  }
  lines.push('', table(report));

  const failures = report.results.filter((r) => r.status === 'fail' && r.expectedBecause === undefined);
  const heading = report.baseline ? 'UNEXPECTED FAILURES' : 'FAILURES';
  if (failures.length > 0) {
    lines.push('', `${heading} (${failures.length} MUST)`);
    for (const result of failures) lines.push(...describe(result, '✗', report, command));
  }
  const warnings = report.results.filter((r) => r.status === 'warn' && r.expectedBecause === undefined);
  if (warnings.length > 0) {
    lines.push('', `${report.baseline ? 'UNEXPECTED WARNINGS' : 'WARNINGS'} (${warnings.length} SHOULD)`);
    for (const result of warnings) lines.push(...describe(result, '!', report, command));
  }
  if (report.baseline) lines.push(...baselineLines(report));
  if (failures.length + warnings.length > 0) lines.push(...rerunLines(report));
  const skipped = report.results.filter((r) => r.status === 'skip' && !r.id.startsWith('contract.op.'));
  if (skipped.length > 0) {
    lines.push('', 'SKIPPED');
    for (const result of skipped) lines.push(`- ${result.id}: ${result.message ?? ''}`);
  }
  const missing = report.results.filter((r) => r.status === 'not-implemented' && !r.id.startsWith('contract.op.'));
  if (missing.length > 0)
    lines.push('', `NOT IMPLEMENTED (extension not offered): ${missing.map((r) => r.id).join(', ')}`);
  if (options.verbose) {
    lines.push('', 'ALL CHECKS');
    for (const result of report.results) {
      const runs = result.runs
        ? ` runs ${result.runs.executed}/${result.runs.granted}${result.runs.granted < result.runs.requested ? ` (of ${result.runs.requested}: ${result.runs.adaptedBecause})` : ''}`
        : '';
      lines.push(
        `${mark(result)} ${result.id} [${result.level}] ${result.durationMs} ms, ${result.requests} req${runs}${result.notes.length ? ` · ${result.notes.join(' · ')}` : ''}`,
      );
    }
  }
  const adapted = report.results.filter((r) => r.runs && r.runs.granted < r.runs.requested);
  if (adapted.length > 0) {
    lines.push(
      '',
      `ADAPTED: ${adapted.length} property check(s) ran fewer runs: ${[...new Set(adapted.map((r) => r.runs?.adaptedBecause ?? 'no reason recorded'))].join('; ')}`,
    );
  }
  if (report.coverage) {
    lines.push('', `coverage: ${report.coverage.exercised}/${report.coverage.total} operations of the spec exercised`);
    if (options.verbose) {
      for (const op of report.coverage.operations) {
        lines.push(
          `  ${op.requests > 0 ? '✓' : '·'} ${`${op.method} ${op.template}`.padEnd(48)} ${String(op.requests).padStart(5)} req  seen ${op.statusesSeen.join(',') || '-'}  documented ${op.statusesDocumented.join(',')}`,
        );
      }
    }
  }
  if (report.notes.length > 0) lines.push('', 'NOTES', ...report.notes.map((note) => `- ${note}`));
  const limits = report.learnedLimits.map((limit) => `${limit.route} ${limit.limit}/window`).join(', ');
  lines.push(
    '',
    `requests: ${report.requests} · rate-limit waits: ${(report.rateLimitWaitMs / 1000).toFixed(1)} s${limits ? ` (limits seen: ${limits})` : ''} · cleanup: ${report.cleanup.deleted} deleted${report.cleanup.failed.length ? `, ${report.cleanup.failed.length} failed (${report.cleanup.failed.join('; ')})` : ''} · ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  const fails = report.summary.fail;
  if (report.baseline && report.exitCode === 2 && !report.fatal) {
    lines.push(`RESULT: BASELINE OUT OF DATE — ${report.baseline.source} lists deviations that are gone (see above)`);
    return `${lines.join('\n')}\n`;
  }
  if (report.baseline) {
    const unexpected = report.baseline.unexpectedFailures.filter((failure) => failure.status === 'fail').length;
    const expected = report.baseline.expected.filter((entry) => entry.status === 'fail').length;
    lines.push(
      unexpected === 0
        ? `RESULT: PASS — every MUST failure is expected (${expected} listed in ${report.baseline.source})`
        : `RESULT: FAIL — ${unexpected} unexpected MUST failure(s)`,
    );
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    fails === 0
      ? `RESULT: PASS — every MUST passed${report.summary.warn ? ` (${report.summary.warn} SHOULD warning(s))` : ''}`
      : `RESULT: FAIL — ${fails} MUST check(s) failed`,
  );
  return `${lines.join('\n')}\n`;
}

function baselineLines(report: RunReport): string[] {
  const outcome = report.baseline!;
  const lines: string[] = [];
  if (outcome.unexpectedPasses.length > 0) {
    lines.push('', `UNEXPECTED PASSES (listed in ${outcome.source}, now passing: remove them)`);
    for (const entry of outcome.unexpectedPasses) lines.push(`+ ${entry.check} [${entry.level}] (${entry.reason})`);
  }
  if (outcome.stale.length > 0) {
    lines.push('', `STALE ENTRIES (listed in ${outcome.source}, matching no finding: remove or correct them)`);
    for (const entry of outcome.stale) lines.push(`- ${entry.check} [${entry.level}]: ${entry.why}`);
  }
  if (outcome.expired.length > 0) {
    lines.push('', `EXPIRED ENTRIES (in ${outcome.source}; they excuse nothing any more)`);
    for (const entry of outcome.expired)
      lines.push(`- ${entry.check} [${entry.level}] until ${entry.until}: ${entry.reason}`);
  }
  for (const warning of outcome.warnings) lines.push(`warning: ${warning}`);
  if (outcome.expected.length > 0) {
    lines.push('', `EXPECTED (known deviations in ${outcome.source})`);
    for (const entry of outcome.expected)
      lines.push(`${entry.status === 'fail' ? '✗' : '!'} ${entry.check} [${entry.level}]: ${entry.reason}`);
  }
  if (outcome.notJudged.length > 0) {
    lines.push('', `NOT JUDGED (listed in ${outcome.source})`);
    for (const entry of outcome.notJudged) lines.push(`- ${entry.check} [${entry.level}]: ${entry.why}`);
  }
  return lines;
}

/** How to re-run the transcripts: the throwaway developers' keys (never a key the user gave). */
export function rerunLines(report: RunReport): string[] {
  const keys = report.createdKeys ?? [];
  const lines = ['', 'TO RE-RUN THE TRANSCRIPTS'];
  if (keys.length > 0)
    lines.push(
      '  # keys of developers this run created (throwaways):',
      ...keyExports(report).map((line) => `  ${line}`),
    );
  lines.push(
    `  # a key you gave appears as its variable (e.g. $GRANTEX_API_KEY); set it yourself${report.cleanup.kept?.length ? '' : ' · resources were deleted at the end: keep them with --keep-on-failure'}`,
  );
  if (report.cleanup.kept?.length)
    lines.push(`  # kept for inspection (--keep-on-failure): ${report.cleanup.kept.join(', ')}`);
  return lines;
}

function table(report: RunReport): string {
  const header = ['area', ...COLUMNS.map(([, label]) => label)];
  const rows: string[][] = [];
  for (const area of AREAS) {
    const tally = report.byArea[area];
    if (!tally) continue;
    rows.push([area, ...COLUMNS.map(([key]) => String(tally[key]))]);
  }
  rows.push(['total', ...COLUMNS.map(([key]) => String(report.summary[key]))]);
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...rows.map((row) => row[i]!.length)));
  const format = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [
    format(header),
    ...rows.slice(0, -1).map(format),
    widths.map((w) => '─'.repeat(w)).join('  '),
    format(rows.at(-1)!),
  ].join('\n');
}

function mark(result: CheckResult): string {
  return { pass: '✓', fail: '✗', warn: '!', 'not-implemented': '-', skip: '~' }[result.status];
}

function describe(result: CheckResult, symbol: string, report: RunReport, command: string): string[] {
  const lines = [`${symbol} ${result.id} [${result.level}] ${result.clause}`, `  ${result.title}`];
  if (result.findings?.length) return [...lines, ...describeFindings(result, report, command)];
  if (result.message) lines.push(`  what: ${result.message}`);
  if (result.expected !== undefined) lines.push(`  expected: ${result.expected}`);
  if (result.observed !== undefined) lines.push(`  observed: ${result.observed}`);
  if (result.counterexample) lines.push(`  counterexample: ${result.counterexample}`);
  if (result.replay) {
    const where = result.path !== undefined ? `seed ${result.seed} · path ${result.path} · ` : '';
    lines.push(`  ${where}replay: ${replayLine(report, result.replay, command)}`);
  }
  for (const note of result.notes) lines.push(`  note: ${note}`);
  if (result.transcript?.length) {
    lines.push('  transcript:');
    for (const entry of result.transcript) lines.push(...entry.split('\n').map((line) => `    ${line}`));
  }
  return lines;
}

/** Each finding of a check that reports several, with its own request, seed and replay. */
function describeFindings(result: CheckResult, report: RunReport, command: string): string[] {
  const findings = result.findings ?? [];
  const lines: string[] = [];
  findings.forEach((finding, index) => {
    lines.push(
      `  [${index + 1}/${findings.length}] ${finding.operationId} → ${finding.status || 'no answer'}: ${finding.message}`,
    );
    lines.push(`    expected: ${finding.expected}`, `    observed: ${finding.observed}`);
    if (finding.counterexample) lines.push(`    request: ${finding.counterexample}`);
    lines.push(
      `    seed ${finding.seed} · path ${finding.path}${finding.deterministic ? ' · every run (fixed example)' : ''} · replay: ${replayLine(report, finding.replay, command)}`,
    );
    for (const entry of finding.transcript) lines.push(...entry.split('\n').map((line) => `      ${line}`));
  });
  for (const note of result.notes) lines.push(`  note: ${note}`);
  return lines;
}
