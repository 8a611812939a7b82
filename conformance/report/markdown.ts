/**
 * @module report/markdown
 * A short Markdown report for CI job summaries (GitHub's
 * `$GITHUB_STEP_SUMMARY`): the verdict, the table by area, and each failure
 * and warning with its clause, what failed and its replay line. Every value
 * from the run is escaped, so a server's text cannot add links, images or
 * HTML to the summary.
 */
import { AREAS } from '../engine/options.js';
import type { RunReport } from '../engine/run-report.js';
import type { CheckResult, Tally } from '../engine/types.js';
import { replayLine } from './rerun.js';

const COLUMNS: Array<[keyof Tally, string]> = [
  ['pass', 'pass'],
  ['fail', 'fail'],
  ['warn', 'warn'],
  ['not-implemented', 'n/i'],
  ['skip', 'skip'],
];

/** Longest text kept from one value (a summary is read at a glance). */
const MAX_VALUE = 300;

/** Plain text that Markdown and the HTML GitHub allows in it show as written. */
export function escapeMarkdown(text: string, max = MAX_VALUE): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
  const short = flat.length > max ? `${flat.slice(0, max)}…` : flat;
  return short
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]()#+\-.!|~])/g, '\\$1');
}

/** A code span that holds any text: fenced with more backticks than it contains. */
function code(text: string): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence} ${flat} ${fence}`;
}

export function renderMarkdown(report: RunReport): string {
  const lines: string[] = ['## Grantex conformance', ''];
  lines.push(
    `${escapeMarkdown(report.baseUrl || '(no server)')}${report.reference ? ' (in-process reference server)' : ''} · run ${code(report.runId)} · seed ${report.seed} · ${(report.durationMs / 1000).toFixed(1)} s · ${report.requests} requests`,
    '',
  );
  if (report.fatal) {
    lines.push(`**Could not run (exit 2):** ${escapeMarkdown(report.fatal)}`);
    return `${lines.join('\n')}\n`;
  }
  const unexpected = (result: CheckResult) => result.expectedBecause === undefined;
  const failures = report.results.filter((r) => r.status === 'fail' && unexpected(r));
  const warnings = report.results.filter((r) => r.status === 'warn' && unexpected(r));
  lines.push(
    report.exitCode === 0
      ? `**PASS**: every MUST passed${report.baseline ? ' or is an expected failure' : ''}${warnings.length ? ` (${warnings.length} SHOULD warning(s))` : ''}`
      : `**FAIL**: ${failures.length} MUST check(s) failed`,
    '',
    `| area | ${COLUMNS.map(([, label]) => label).join(' | ')} |`,
    `|---|${COLUMNS.map(() => '--:').join('|')}|`,
  );
  for (const area of AREAS) {
    const tally = report.byArea[area];
    if (tally) lines.push(`| ${area} | ${COLUMNS.map(([key]) => tally[key]).join(' | ')} |`);
  }
  lines.push(`| **total** | ${COLUMNS.map(([key]) => `**${report.summary[key]}**`).join(' | ')} |`);
  for (const [title, results] of [
    ['Failures (MUST)', failures],
    ['Warnings (SHOULD)', warnings],
  ] as const) {
    if (results.length === 0) continue;
    lines.push('', `### ${title}`, '');
    for (const result of results) {
      lines.push(
        `- **${escapeMarkdown(result.id)}** ${escapeMarkdown(result.clause)}: ${escapeMarkdown(result.message ?? result.title)}`,
      );
      if (result.expected !== undefined || result.observed !== undefined)
        lines.push(
          `  expected ${escapeMarkdown(result.expected ?? '')} · observed ${escapeMarkdown(result.observed ?? '')}`,
        );
      if (result.replay) lines.push(`  replay: ${code(replayLine(report, result.replay))}`);
    }
  }
  if (report.baseline) {
    const gone = report.baseline.unexpectedPasses.map((entry) => code(entry.check));
    if (gone.length > 0)
      lines.push('', `Unexpected passes (remove from ${escapeMarkdown(report.baseline.source)}): ${gone.join(', ')}`);
  }
  if (report.coverage)
    lines.push('', `Coverage: ${report.coverage.exercised}/${report.coverage.total} operations of the spec exercised.`);
  return `${lines.join('\n')}\n`;
}
