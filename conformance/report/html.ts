/**
 * @module report/html
 * One self-contained HTML page for people: the verdict, a summary by area and
 * by level, the extensions found, every failure and warning (clause, expected
 * and observed, counterexample, replay command, transcript) in collapsible
 * sections, the baseline's verdict, coverage, and the traffic (requests and
 * waits). Inline CSS only; a Content-Security-Policy forbids loading anything.
 * Sections are a list, so other areas add theirs without touching the rest.
 */
import { AREAS } from '../engine/options.js';
import type { RunReport } from '../engine/run-report.js';
import type { CheckResult, Tally } from '../engine/types.js';
import type { Finding } from '../engine/findings.js';
import type { Level, Status } from '../engine/types.js';
import { decodeTokens } from './jwt.js';
import { linkClause, operationUrl } from './links.js';
import { keyExports, replayLine } from './rerun.js';

export interface HtmlOptions {
  /** How to invoke the suite in replay commands. Default `npm run conformance --`. */
  command?: string;
}

/** One section of the page: a heading and its (already escaped) HTML. */
export interface HtmlSection {
  id: string;
  title: string;
  html: string;
}

const STATUSES: Array<[Status, string]> = [
  ['pass', 'pass'],
  ['fail', 'fail'],
  ['warn', 'warn'],
  ['not-implemented', 'not implemented'],
  ['skip', 'skip'],
];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1.5rem;color:#1d2430;background:#fff}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.1rem;margin:1.8rem 0 .6rem;border-bottom:1px solid #dde3ea;padding-bottom:.2rem}
.meta{color:#5a6575;font-size:.9rem}.verdict{padding:.7rem 1rem;border-radius:6px;font-weight:600;margin:1rem 0}
.verdict.pass{background:#e5f6ea;color:#17602e}.verdict.fail{background:#fde8e8;color:#8a1c1c}.verdict.error{background:#fff3d6;color:#7a5200}
table{border-collapse:collapse;margin:.4rem 0}th,td{padding:.25rem .7rem;border-bottom:1px solid #e6eaef;text-align:right}th:first-child,td:first-child{text-align:left}
th{background:#f4f6f9;font-weight:600}td.fail{color:#b42323;font-weight:600}td.warn{color:#9a6400;font-weight:600}td.zero{color:#b8c0cb}
details{border:1px solid #dde3ea;border-radius:6px;margin:.5rem 0;background:#fbfcfd}summary{cursor:pointer;padding:.5rem .8rem;font-weight:600}
details[open] summary{border-bottom:1px solid #dde3ea}.body{padding:.6rem .9rem}.fail>summary{color:#8a1c1c}.warn>summary{color:#7a5200}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}dt{color:#5a6575}dd{margin:0;word-break:break-word}
pre,code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}pre{background:#f4f6f9;padding:.6rem;border-radius:4px;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
.tag{display:inline-block;padding:0 .4rem;border-radius:3px;font-size:.8rem;margin-left:.3rem;background:#e6eaef;color:#39424e}.tag.MUST{background:#fde8e8;color:#8a1c1c}.tag.SHOULD{background:#fff3d6;color:#7a5200}
.ext span{display:inline-block;margin:.15rem .5rem .15rem 0;padding:.1rem .5rem;border-radius:3px}.ext .yes{background:#e5f6ea}.ext .no{background:#f0f2f5;color:#7a8491}
ul{margin:.3rem 0;padding-left:1.3rem}
summary .what{font-weight:400;color:#1d2430}.jwt{border-left:3px solid #c9d3df;margin:.5rem 0;padding:.2rem .7rem;background:#f8fafc}
.jwt h4{margin:.2rem 0;font-size:.85rem;color:#39424e}.jwt pre{background:#eef2f6;margin:.2rem 0}`;

export function renderHtml(report: RunReport, options: HtmlOptions = {}, extra: readonly HtmlSection[] = []): string {
  const command = options.command ?? 'npm run conformance --';
  const sections: HtmlSection[] = [];
  if (!report.fatal) {
    sections.push({
      id: 'summary',
      title: 'Summary by area',
      html: tallyTable(
        report.byArea,
        AREAS.filter((area) => report.byArea[area]),
        report.summary,
      ),
    });
    sections.push({ id: 'levels', title: 'Summary by level', html: levelTable(report.results) });
  }
  sections.push({ id: 'extensions', title: 'Extensions found', html: extensions(report) });
  if (report.baseline)
    sections.push({
      id: 'baseline',
      title: `Baseline (${escapeHtml(report.baseline.source)})`,
      html: baseline(report),
    });
  const failures = report.results.filter((r) => r.status === 'fail');
  const warnings = report.results.filter((r) => r.status === 'warn');
  if (failures.length > 0)
    sections.push({
      id: 'failures',
      title: `Failures (${failures.length} MUST)`,
      html: failures.map((r) => finding(r, report, command)).join('\n'),
    });
  if (warnings.length > 0)
    sections.push({
      id: 'warnings',
      title: `Warnings (${warnings.length} SHOULD)`,
      html: warnings.map((r) => finding(r, report, command)).join('\n'),
    });
  if (failures.length + warnings.length > 0)
    sections.push({ id: 'rerun', title: 'Re-running the transcripts', html: rerun(report) });
  const skipped = report.results.filter((r) => r.status === 'skip' && !r.id.startsWith('contract.op.'));
  if (skipped.length > 0)
    sections.push({
      id: 'skipped',
      title: `Skipped (${skipped.length})`,
      html: `<ul>${skipped.map((r) => `<li><code>${escapeHtml(r.id)}</code>: ${escapeHtml(r.message ?? '')}</li>`).join('')}</ul>`,
    });
  sections.push({ id: 'traffic', title: 'Requests and waits', html: traffic(report) });
  if (report.coverage)
    sections.push({
      id: 'coverage',
      title: `Coverage (${report.coverage.exercised}/${report.coverage.total} operations exercised)`,
      html: coverage(report),
    });
  sections.push(...extra);
  if (report.results.length > 0) sections.push({ id: 'all', title: 'All checks', html: allChecks(report.results) });
  if (report.notes.length > 0)
    sections.push({
      id: 'notes',
      title: 'Notes',
      html: `<ul>${report.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>`,
    });

  const verdict = report.fatal
    ? `<div class="verdict error">Could not run (exit 2): ${escapeHtml(report.fatal)}</div>`
    : report.exitCode === 0
      ? `<div class="verdict pass">PASS: every MUST passed${report.baseline ? ' or is an expected failure' : ''}${report.summary.warn ? ` (${report.summary.warn} SHOULD warning(s))` : ''}</div>`
      : `<div class="verdict fail">FAIL: ${report.baseline ? report.baseline.unexpectedFailures.filter((f) => f.status === 'fail').length : report.summary.fail} MUST check(s) failed</div>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Grantex conformance: ${escapeHtml(report.baseUrl || 'no server')}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Grantex conformance report</h1>
<div class="meta">${escapeHtml(report.baseUrl || '(no server)')}${report.reference ? ' (in-process reference server)' : ''} · run <code>${escapeHtml(report.runId)}</code> · seed ${report.seed} · ${escapeHtml(report.startedAt)} · ${(report.durationMs / 1000).toFixed(1)} s</div>
${verdict}
${sections.map((section) => `<section id="${escapeHtml(section.id)}">\n<h2>${section.title}</h2>\n${section.html}\n</section>`).join('\n')}
</body>
</html>
`;
}

function cell(count: number, status: Status): string {
  const cls = count === 0 ? 'zero' : status === 'fail' || status === 'warn' ? status : '';
  return `<td${cls ? ` class="${cls}"` : ''}>${count}</td>`;
}

function tallyTable(rows: Partial<Record<string, Tally>>, names: readonly string[], total: Tally): string {
  const head = `<tr><th>area</th>${STATUSES.map(([, label]) => `<th>${label}</th>`).join('')}</tr>`;
  const body = names
    .map(
      (name) =>
        `<tr><td>${escapeHtml(name)}</td>${STATUSES.map(([status]) => cell(rows[name]![status], status)).join('')}</tr>`,
    )
    .join('\n');
  return `<table>\n${head}\n${body}\n<tr><th>total</th>${STATUSES.map(([status]) => `<th>${total[status]}</th>`).join('')}</tr>\n</table>`;
}

function levelTable(results: readonly CheckResult[]): string {
  const levels: Level[] = ['MUST', 'SHOULD'];
  const rows: Record<string, Tally> = {};
  for (const level of levels) rows[level] = { pass: 0, fail: 0, warn: 0, 'not-implemented': 0, skip: 0 };
  for (const result of results) rows[result.level]![result.status]++;
  const head = `<tr><th>level</th>${STATUSES.map(([, label]) => `<th>${label}</th>`).join('')}</tr>`;
  return `<table>\n${head}\n${levels.map((level) => `<tr><td>${level}</td>${STATUSES.map(([status]) => cell(rows[level]![status], status)).join('')}</tr>`).join('\n')}\n</table>`;
}

function extensions(report: RunReport): string {
  const entries = Object.entries(report.extensions);
  if (entries.length === 0) return '<p>None detected (the run stopped before detection).</p>';
  return `<div class="ext">${entries.map(([name, offered]) => `<span class="${offered ? 'yes' : 'no'}">${offered ? '✓' : '✗'} ${escapeHtml(name)}</span>`).join('')}</div>`;
}

function finding(result: CheckResult, report: RunReport, command: string): string {
  const rows: Array<[string, string]> = [
    ['check', escapeHtml(result.title)],
    ['clause', linkClause(result.clause, escapeHtml)],
  ];
  if (result.message) rows.push(['what', escapeHtml(result.message)]);
  if (result.expected !== undefined) rows.push(['expected', escapeHtml(result.expected)]);
  if (result.observed !== undefined) rows.push(['observed', escapeHtml(result.observed)]);
  if (result.counterexample) rows.push(['counterexample', `<code>${escapeHtml(result.counterexample)}</code>`]);
  if (result.replay) rows.push(['replay', `<code>${escapeHtml(replayLine(report, result.replay, command))}</code>`]);
  if (result.deterministic !== undefined)
    rows.push([
      'deterministic',
      result.deterministic ? 'yes: fails on every run' : 'no: a random input (replay it with the command above)',
    ]);
  if (result.expectedBecause !== undefined) rows.push(['expected by baseline', escapeHtml(result.expectedBecause)]);
  for (const note of result.notes) rows.push(['note', escapeHtml(note)]);
  rows.push(['requests', `${result.requests} in ${result.durationMs} ms`]);
  const transcript = result.findings?.length
    ? result.findings.map((each, index, all) => findingOf(each, `${index + 1}/${all.length}`, report, command)).join('')
    : result.transcript?.length
      ? `<details class="transcript"><summary>Transcript (${result.transcript.length} request(s), curl)</summary><div class="body"><pre>${escapeHtml(result.transcript.join('\n\n'))}</pre>${tokens(result.transcript.join('\n'))}</div></details>`
      : '';
  const symbol = result.status === 'fail' ? '✗' : '!';
  // The header says what failed; the check's title is the first row.
  return `<details class="${result.status}" id="check-${escapeHtml(result.id)}"><summary>${symbol} ${escapeHtml(result.id)}<span class="tag ${result.level}">${result.level}</span>${result.expectedBecause !== undefined ? '<span class="tag">expected</span>' : ''} · <span class="what">${escapeHtml(headline(result))}</span></summary>
<div class="body"><dl>${rows.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('')}</dl>${transcript}</div></details>`;
}

/** What failed, in one line: the message (with what was observed when it is short), else the title. */
function headline(result: CheckResult): string {
  const message = result.message ?? result.title;
  const observed =
    result.observed !== undefined && result.observed.length <= 60 ? ` (observed ${result.observed})` : '';
  const line = `${message}${observed}`.replace(/\s+/g, ' ');
  return line.length > 160 ? `${line.slice(0, 160)}…` : line;
}

/** The decoded header and claims of each token in a transcript, beside it; never a signature. */
function tokens(text: string): string {
  return decodeTokens(text)
    .map(
      (token, index) =>
        `<div class="jwt"><h4>Token ${index + 1} decoded (signature not shown)</h4><pre>header ${escapeHtml(JSON.stringify(token.header, null, 2))}\nclaims ${escapeHtml(JSON.stringify(token.claims, null, 2))}${Object.entries(
          token.times,
        )
          .map(([name, iso]) => `\n${name} = ${escapeHtml(iso)}`)
          .join('')}</pre></div>`,
    )
    .join('');
}

/** One of several findings of a check (fuzz: one per operation and status), collapsible, with its own replay and curl. */
function findingOf(each: Finding, position: string, report: RunReport, command: string): string {
  const rows: Array<[string, string]> = [
    ['what', escapeHtml(each.message)],
    ['expected', escapeHtml(each.expected)],
    ['observed', escapeHtml(each.observed)],
    ['request', `<code>${escapeHtml(each.counterexample)}</code>`],
    ['replay', `<code>${escapeHtml(replayLine(report, each.replay, command))}</code>`],
    [
      'deterministic',
      each.deterministic
        ? 'yes: a fixed example, fails on every run'
        : 'no: a random input (replay it with the command above)',
    ],
  ];
  return `<details class="transcript"><summary>Finding ${position}: ${escapeHtml(each.operationId)} → ${each.status || 'no answer'}: <span class="what">${escapeHtml(each.message)}</span></summary><div class="body"><dl>${rows.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('')}</dl><pre>${escapeHtml(each.transcript.join('\n\n'))}</pre>${tokens(each.transcript.join('\n'))}</div></details>`;
}

function baseline(report: RunReport): string {
  const outcome = report.baseline!;
  const list = (items: string[]) => (items.length ? `<ul>${items.join('')}</ul>` : '<p>none</p>');
  return [
    `<h3>Unexpected failures</h3>${list(outcome.unexpectedFailures.map((f) => `<li><a href="#check-${escapeHtml(f.check)}"><code>${escapeHtml(f.check)}</code></a> ${f.level} ${f.status}</li>`))}`,
    `<h3>Unexpected passes (remove from the baseline)</h3>${list(outcome.unexpectedPasses.map((e) => `<li><code>${escapeHtml(e.check)}</code> ${e.level}: ${escapeHtml(e.reason)}</li>`))}`,
    `<h3>Expected</h3>${list(outcome.expected.map((e) => `<li><code>${escapeHtml(e.check)}</code> ${e.level} ${e.status}: ${escapeHtml(e.reason)}</li>`))}`,
    outcome.notJudged.length
      ? `<h3>Not judged</h3>${list(outcome.notJudged.map((e) => `<li><code>${escapeHtml(e.check)}</code>: ${escapeHtml(e.why)}</li>`))}`
      : '',
  ].join('\n');
}

function rerun(report: RunReport): string {
  const keys = report.createdKeys ?? [];
  const lines = keys.length
    ? ['# keys of developers this run created (throwaways)', ...keyExports(report)]
    : ['# no developer was created by this run'];
  lines.push('# a key you gave shows as its variable (e.g. $GRANTEX_API_KEY): set it yourself');
  const kept = report.cleanup.kept?.length
    ? `<p>Kept for inspection (--keep-on-failure): ${escapeHtml(report.cleanup.kept.join(', '))}</p>`
    : '<p>The run deleted what it created; keep the failing checks’ resources with <code>--keep-on-failure</code>.</p>';
  return `<pre>${escapeHtml(lines.join('\n'))}</pre>${kept}`;
}

function traffic(report: RunReport): string {
  const rows: Array<[string, string]> = [
    ['requests', String(report.requests)],
    ['rate-limit waits', `${(report.rateLimitWaitMs / 1000).toFixed(1)} s`],
    [
      'limits learned',
      report.learnedLimits.length
        ? report.learnedLimits
            .map((l) => `${l.route}: ${l.limit} per window (longest Retry-After ${l.longestWaitS} s)`)
            .join('; ')
        : 'none',
    ],
    [
      'cleanup',
      `${report.cleanup.deleted} deleted${report.cleanup.failed.length ? `, ${report.cleanup.failed.length} failed: ${report.cleanup.failed.join('; ')}` : ''}`,
    ],
    ['duration', `${(report.durationMs / 1000).toFixed(1)} s`],
  ];
  const byCheck = [...report.results]
    .filter((r) => r.requests > 0 && !r.id.startsWith('contract.op.'))
    .sort((a, b) => b.requests - a.requests);
  const table = byCheck.length
    ? `<details><summary>Requests per check</summary><div class="body"><table><tr><th>check</th><th>requests</th><th>runs</th><th>ms</th></tr>${byCheck
        .map(
          (r) =>
            `<tr><td><code>${escapeHtml(r.id)}</code></td><td>${r.requests}</td><td>${r.runs ? `${r.runs.executed}/${r.runs.granted}${r.runs.adaptedBecause ? ` (${escapeHtml(r.runs.adaptedBecause)})` : ''}` : ''}</td><td>${r.durationMs}</td></tr>`,
        )
        .join('')}</table></div></details>`
    : '';
  return `<dl>${rows.map(([term, value]) => `<dt>${term}</dt><dd>${escapeHtml(value)}</dd>`).join('')}</dl>${table}`;
}

function coverage(report: RunReport): string {
  const rows = report
    .coverage!.operations.map(
      (op) =>
        `<tr><td><a href="${escapeHtml(operationUrl(op.operationId, op.tag))}"><code>${escapeHtml(`${op.method} ${op.template}`)}</code></a></td><td>${op.requests}</td><td>${escapeHtml(op.statusesSeen.join(', ') || '-')}</td><td>${escapeHtml(op.statusesDocumented.join(', '))}</td></tr>`,
    )
    .join('');
  return `<details><summary>Operations, statuses seen and documented</summary><div class="body"><table><tr><th>operation</th><th>requests</th><th>seen</th><th>documented</th></tr>${rows}</table></div></details>`;
}

function allChecks(results: readonly CheckResult[]): string {
  const mark: Record<Status, string> = { pass: '✓', fail: '✗', warn: '!', 'not-implemented': '–', skip: '~' };
  return `<details><summary>${results.length} results</summary><div class="body"><table><tr><th>check</th><th>level</th><th>verdict</th><th>requests</th></tr>${results
    .map(
      (r) =>
        `<tr><td>${mark[r.status]} <code>${escapeHtml(r.id)}</code></td><td>${r.level}</td><td>${r.status}</td><td>${r.requests}</td></tr>`,
    )
    .join('')}</table></div></details>`;
}
